import { Testing } from "cdktf";
import { skipTokenStackTraces } from "../lib/fast-synth";

Testing.setupJest();
// Jest's source-mapped traces make cdktf's per-token stack captures very slow; tests never need them.
skipTokenStackTraces();
