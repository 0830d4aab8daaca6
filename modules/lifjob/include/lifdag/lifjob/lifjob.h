// LIF's lif_dynamic_pipeline_job on lifdag's engine: one branch per query plan part (adapter, then
// translation, each under LIF's retry policy), fan-in of the part results in config order, and the
// POST of the results to LIF's query planner.
#pragma once

#include <lifdag/adapters/model.h>
#include <lifdag/adapters/registry.h>
#include <lifdag/execution/jobregistry.h>
#include <lifdag/execution/retrypolicy.h>
#include <lifdag/transform/mappingsource.h>

#include <QProcessEnvironment>
#include <QString>

#include <chrono>
#include <memory>

namespace lifdag::lifjob {

inline constexpr QLatin1StringView kJobName("lif_dynamic_pipeline_job");
inline constexpr QLatin1StringView kResourceName("config_resource");
// The op names, as in LIF's Dagster job (plus the step that holds the results document).
inline constexpr QLatin1StringView kCreateOp("create_dynamic_pipelines");
inline constexpr QLatin1StringView kAdapterOp("run_lif_adapter");
inline constexpr QLatin1StringView kTranslationOp("run_translation");
inline constexpr QLatin1StringView kCollectOp("collect_query_plan_part_results");
inline constexpr QLatin1StringView kSendOp("send_results_to_query_planner");

// The text a part without data reports.
inline constexpr QLatin1StringView kNoDataError("Pipeline did not run or failed.");

// RETRY_POLICY_SUBGRAPH: 3 retries, 0.2 s, exponential backoff, plus/minus jitter.
execution::RetryPolicy lifRetryPolicy();
// MAX_RETRIES_SUBGRAPH: an attempt whose retry number reaches MAX_RETRIES - 1 (the third attempt)
// gives up with "no data" instead of failing.
inline constexpr int kMaxRetriesSubgraph = 3;

// What the environment configures (read by the process that runs the job). Names as LIF's:
//   LIF_QUERY_PLANNER_RESULTS_BASE_URL, LIF_QUERY_PLANNER_RESULTS_TOKEN   where results go
//   LIF_TRANSLATOR_BASE_URL, LIF_TRANSLATOR_TOKEN       a remote translator (optional)
//   LIF_TRANSLATOR_MAPPINGS_DIR                         in-process translation from a mapping directory
//   LIF_MDR_API_URL, LIF_MDR_API_AUTH_TOKEN, LIF_MDR_API_TENANT_SCHEMA   … or from the MDR API
//   LIF_HTTP_TIMEOUT_SECONDS                            timeout of every HTTP call (default 30)
struct Settings
{
    QString queryPlannerResultsBaseUrl;
    QString queryPlannerResultsToken;
    QString translatorBaseUrl;
    QString translatorToken;
    QString mappingsDirectory;
    transform::MdrOptions mdr;
    std::chrono::milliseconds httpTimeout { 30000 };

    static Settings
    fromEnvironment(const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
};

struct Options
{
    Settings settings = Settings::fromEnvironment();
    // Where adapter credentials are read from (ADAPTERS__…).
    QProcessEnvironment credentialEnvironment = QProcessEnvironment::systemEnvironment();
    // The adapters; null: AdapterRegistry::fromEnvironment(), built when a run first needs it.
    std::shared_ptr<const adapters::AdapterRegistry> adapters;
    // The in-process translator's mappings; null: from settings (mappings directory or MDR API).
    std::shared_ptr<transform::MappingSource> mappingSource;
    // The policy of run_lif_adapter, run_translation and send_results_to_query_planner.
    execution::RetryPolicy retryPolicy = lifRetryPolicy();
};

execution::JobBuilder lifDynamicPipelineJob(Options options = {});
Status registerLifJob(execution::JobRegistry &registry, Options options = {});

// The config type of one query plan part (resources.config_resource.config.lif_query_plan_parts[i]).
execution::ConfigTypePtr queryPlanPartConfigType();

// generate_mapping_key: "<adapter>__<source>__<identifier>__<hash>" with '-' → '_' in both ids and
// hash = the first 8 hex digits of SHA-256 over str(time.time()) with '.' → '_'.
QString generateMappingKey(const adapters::QueryPlanPart &part, double unixSeconds);
// Python's str() of a float in the range of Unix times: shortest round-trip digits, ".0" if whole.
QString pythonFloatRepr(double value);

} // namespace lifdag::lifjob
