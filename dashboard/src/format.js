// How numbers read on the page, in the charts' tables and tooltips alike. A metric with no data is
// null in the API and reads "no data" here, never 0.

export const NO_DATA = "no data";
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function guard(format) {
  return (value) => (value === null || value === undefined || Number.isNaN(value) ? NO_DATA : format(value));
}

export const fmt = {
  percent: guard((v) => `${(v * 100).toFixed(1)}%`),
  hours: guard((v) => `${v.toFixed(1)} h`),
  days: guard((v) => `${v.toFixed(1)} d`),
  delta: guard((v) => `${v > 0 ? "+" : ""}${v.toFixed(2)}`),
  number: guard((v) => v.toFixed(1)),
  count: guard((v) => integer.format(v)),
  text: (v) => (v === null || v === undefined || v === "" ? NO_DATA : String(v)),
};
