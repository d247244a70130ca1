"""What a person carries into their own tools: address-book (vCard) imports into their rolodex and
the iCalendar feed of their sessions. Pure code: no HTTP and no Cypher (those live in `app/` and
`graph/`)."""
