// Small pieces every section of "My Rolodex" uses: status and error lines, buttons, dates.

import { h } from "../dom.js";

export function when(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

export function button(text, onclick, attributes = {}) {
  return h("button", { type: "button", onclick, ...attributes }, text);
}

export function field(id, label, input) {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

// Run an action with its message line: busy text, then the result or the error.
export async function withMessage(line, busy, action) {
  line.textContent = busy;
  line.classList.remove("error");
  try {
    const done = await action();
    line.textContent = typeof done === "string" ? done : "";
  } catch (error) {
    line.textContent = error.message || String(error);
    line.classList.add("error");
  }
}

export function messageLine() {
  return h("p", { class: "message", role: "status", "aria-live": "polite" });
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}
