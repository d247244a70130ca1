"""vCard files shaped like the exports of common address books, for the import tests."""

from __future__ import annotations

import base64

# A small, valid JPEG header as base64, folded the way address books fold long PHOTO lines.
_PHOTO = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 2).decode()
_FOLDED_PHOTO = "\r\n ".join(_PHOTO[i : i + 74] for i in range(0, len(_PHOTO), 74))

APPLE_CONTACTS_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//macOS 14.0//EN\r\n"
    "N:Lovelace;Ada;Augusta;Countess;\r\n"
    "FN:Ada Lovelace\r\n"
    "ORG:Analytical Engines Ltd;Research\r\n"
    "TITLE:Mathematician\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:ada@example.org\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\n"
    "item2.EMAIL;type=INTERNET:ada.home@example.org\r\n"
    "item2.X-ABLabel:_$!<Home>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+44 20 7946 0000\r\n"
    "NOTE:Met at the Difference Engine demo in London\\, and we kept writing lette\r\n"
    " rs about the notes she added to the translation.\r\n"
    f"PHOTO;ENCODING=b;TYPE=JPEG:{_FOLDED_PHOTO}\r\n"
    "UID:4F1B2C3D-0000-4000-8000-ADA000000001\r\n"
    "END:VCARD\r\n"
)
"""macOS / iOS Contacts: 3.0, grouped EMAIL with X-ABLabel, folded NOTE, a photo, 5-part N."""

ANDROID_QP_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;Dr.;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Dr. J=C3=BCrgen M=C3=BCller\r\n"
    "EMAIL;TYPE=HOME:juergen@example.de\r\n"
    "END:VCARD\r\n"
)
"""Android's contacts export: quoted-printable UTF-8 names."""

OUTLOOK_NO_FN_40 = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "N:Ågren;Zoë;Maria;;PhD\r\n"
    "EMAIL;TYPE=work;PREF=1:zoe.agren@example.se\r\n"
    "ORG:Kungliga Tekniska högskolan\r\n"
    "UID:urn:uuid:6c0c3f3e-9d56-4f55-8a8e-0000000000a1\r\n"
    "END:VCARD\r\n"
)
"""A 4.0 card with no FN: the name comes from the five components of N."""

GOOGLE_THREE = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:grace@example.org\r\nCATEGORIES:myContacts\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nN:Turing;Alan;;;\r\n"
    "EMAIL;TYPE=INTERNET:alan@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Katherine Johnson\r\nN:Johnson;Katherine;;;\r\n"
    "ORG:NASA\r\nEND:VCARD\r\n"
)
"""A Google Contacts export of three cards."""
