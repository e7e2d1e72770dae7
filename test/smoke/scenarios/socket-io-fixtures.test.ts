import { describeFixtureScenarios } from "./fixture-suite.js";

describeFixtureScenarios("socket.io");
