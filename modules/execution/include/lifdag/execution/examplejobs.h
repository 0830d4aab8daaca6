// Built-in example jobs for people to try and for tests: hello_job, diamond_job, fanout_job, flaky_job.
#pragma once

#include <lifdag/execution/jobregistry.h>

namespace lifdag::execution::examples {

// One op, `hello`, that logs a greeting. Config ops.hello.config {name: String = "world"}.
JobBuilder helloJob();
// start → left, right → join. Config ops.start.config {value: Int = 1}; join yields (v+1) + (v*2).
JobBuilder diamondJob();
// fan_out yields `count` dynamic outputs (keys item_0 … item_<count-1>); work[item_i] sleeps sleep_ms
// (waking on cancel) and fails if its key is in fail_keys; gather collects the results.
// Config ops.fan_out.config {count: Int = 10, sleep_ms: Int = 0, fail_keys: [String] = []}.
JobBuilder fanoutJob();
// `flaky` fails its first `failures` attempts, then succeeds, under RetryPolicy(max_retries=3,
// delay=0.01 s, EXPONENTIAL, PLUS_MINUS). Config ops.flaky.config {failures: Int = 2}.
JobBuilder flakyJob();

// check_env reports, for each name in ops.check_env.config.names, null when the variable is not
// set and the SHA-256 hex digest of its value otherwise - proof of passthrough without exposure.
JobBuilder envCheckJob();

// hello_schedule: hello_job every 5 minutes (UTC), greeting "schedule"; STOPPED until started.
ScheduleDefinition helloSchedule();

// Adds all of them (jobs and schedules) to `registry`.
Status registerExampleJobs(JobRegistry &registry);

} // namespace lifdag::execution::examples
