// Runs dependency-cruiser through its API with .dependency-cruiser.js over the given folders and
// prints the violations as JSON. dependency-cruiser is ESM only, so the unit test runs this in a
// child process.
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const ruleSet = await extractDepcruiseConfig(require.resolve(`${process.cwd()}/.dependency-cruiser.js`));
const result = await cruise(process.argv.slice(2), { ruleSet, validate: true, ...ruleSet.options, outputType: 'json' }, undefined, {
  tsConfig: extractTSConfig('tsconfig.json'),
});
const { summary } = typeof result.output === 'string' ? JSON.parse(result.output) : result.output;
process.stdout.write(JSON.stringify({ totalCruised: summary.totalCruised, violations: summary.violations }));
