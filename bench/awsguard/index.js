// @pulumi/awsguard as its README has users run it: one AwsGuard with every policy at one level.
// Plain JavaScript so that, like our compiled pack, it starts without compiling TypeScript.
"use strict";
const { AwsGuard } = require("@pulumi/awsguard");

new AwsGuard({ all: "advisory" });
