/** Entry point (`main` in Pulumi.yaml): runs the program of the selected stack and exports its outputs. */
import * as pulumi from "@pulumi/pulumi";
import { programForStack } from "./programs";

export = programForStack(pulumi.getStack())().outputs;
