// Checks Teams cards with Microsoft's own adaptivecards library (the renderer Teams is built on).
//
// Usage: node validate_cards.js CARD.json [CARD.json ...]
// Prints one JSON object: {"<file>": {"parse": [...], "validation": [...]}}; exit status 1 when any
// card has a parse event (unknown element, action or property value) or a validation event
// (duplicate input ids, a ChoiceSet without choices, ...). The dist bundle is used because the
// package's lib/ entry does not load under Node 20.
"use strict";

const fs = require("fs");
const path = require("path");
const AC = require(path.join(__dirname, "node_modules", "adaptivecards", "dist", "adaptivecards.js"));

const phaseNames = { 0: "Parse", 1: "ToJSON", 2: "Validation" };

function describe(event) {
  return {
    phase: phaseNames[event.phase] ?? String(event.phase),
    event: AC.ValidationEvent[event.event] ?? String(event.event),
    message: event.message,
  };
}

function check(json) {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const parse = [];
  for (let i = 0; i < context.eventCount; i++) {
    parse.push(describe(context.getEventAt(i)));
  }
  const validation = card.validateProperties().validationEvents.map(describe);
  return { parse, validation, version: card.version ? card.version.toString() : null };
}

const report = {};
let failed = false;
for (const file of process.argv.slice(2)) {
  const result = check(JSON.parse(fs.readFileSync(file, "utf8")));
  report[file] = result;
  if (result.parse.length || result.validation.length) {
    failed = true;
  }
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
process.exit(failed ? 1 : 0);
