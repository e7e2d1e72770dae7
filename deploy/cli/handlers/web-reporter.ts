export { outputReporter } from "../../hosting/output-reporter.js";
