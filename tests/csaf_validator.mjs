// BSI's CSAF validator (@secvisogram/csaf-validator-lib, pinned in package.json) over CSAF 2.0
// documents: the strict schema test, every mandatory test and every optional test. The
// informative tests are left out: some of them resolve URLs over the network or need hunspell.
// The library's `validate` runs them: only its own tests are passed, so `validateStrict`'s
// check would add nothing but the seconds it takes to load the informative tests as well.
//
// Usage: node tests/csaf_validator.mjs [FILE...]   (no FILE: a document, or a JSON array of
// documents, on standard input). Prints one JSON array, one entry per document:
//   {"isValid": bool, "ran": {"schema": n, "mandatory": n, "optional": n},
//    "findings": [{"group", "test", "errors", "warnings", "infos"}]}   (tests that said something)
// Optional tests report what they find as warnings; isValid covers errors only.
import { readFileSync } from 'node:fs'

import validate from '@secvisogram/csaf-validator-lib/validate.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import * as optional from '@secvisogram/csaf-validator-lib/optionalTests.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const GROUPS = {
  schema: [csaf_2_0_strict],
  mandatory: Object.values(mandatory),
  optional: Object.values(optional),
}

async function check(document) {
  const ran = {}
  const findings = []
  let isValid = true
  for (const [group, tests] of Object.entries(GROUPS)) {
    const result = await validate(tests, document)
    ran[group] = result.tests.length
    isValid = isValid && result.isValid
    for (const { name, errors, warnings, infos } of result.tests) {
      if (errors.length || warnings.length || infos.length) {
        findings.push({ group, test: name, errors, warnings, infos })
      }
    }
  }
  return { isValid, ran, findings }
}

function documents() {
  const files = process.argv.slice(2)
  if (files.length) {
    return files.map((file) => JSON.parse(readFileSync(file, 'utf-8')))
  }
  const given = JSON.parse(readFileSync(0, 'utf-8'))
  return Array.isArray(given) ? given : [given]
}

const results = []
for (const document of documents()) {
  results.push(await check(document))
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n')
