import { describeFixtureScenarios } from "./fixture-suite.js";

describeFixtureScenarios("ws-json");
