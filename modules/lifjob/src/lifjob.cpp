#include "translator_p.h"

#include <lifdag/adapters/credentials.h>
#include <lifdag/adapters/httpclient.h>
#include <lifdag/core/redaction.h>
#include <lifdag/execution/errorinfo.h>
#include <lifdag/execution/opcontext.h>
#include <lifdag/lifjob/fragments.h>
#include <lifdag/lifjob/lifjob.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <atomic>
#include <charconv>
#include <cmath>
#include <mutex>

Q_LOGGING_CATEGORY(lcLifJob, "lifdag.lifjob")

using namespace Qt::StringLiterals;

namespace lifdag::lifjob {

using adapters::AdapterOutput;
using adapters::PartResult;
using adapters::QueryPlanPart;
using execution::OpContext;

namespace {

using Parts = std::shared_ptr<const QList<QueryPlanPart>>;

// Members of the value run_lif_adapter and run_translation hand on (LIF's SubgraphResult).
const QString kPartKey = u"lif_query_plan_part"_s;
const QString kDataKey = u"data"_s;
const QString kKindKey = u"data_kind"_s; // "part_result" | "source_data" | null (no data)
const QString kPartResultKind = u"part_result"_s;
const QString kSourceDataKind = u"source_data"_s;

QJsonObject subgraphResult(const QueryPlanPart &part, const std::optional<AdapterOutput> &output)
{
    if (!output)
        return QJsonObject { { kPartKey, part.toJson() },
                             { kKindKey, QJsonValue::Null },
                             { kDataKey, QJsonValue::Null } };
    return QJsonObject { { kPartKey, part.toJson() },
                         { kKindKey, output->isPartResult() ? kPartResultKind : kSourceDataKind },
                         { kDataKey, output->toJson() } };
}

QString compactJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isString())
        return u'"' + v.toString() + u'"';
    return v.isNull() ? u"null"_s : v.toVariant().toString();
}

QString milliseconds(qint64 nanoseconds)
{
    return QString::number(double(nanoseconds) / 1e6, 'f', 1) + u" ms"_s;
}

QString describeOutput(const AdapterOutput &output)
{
    if (output.isPartResult())
        return u"a LIF part result with "_s + QString::number(output.result().fragments.size())
            + u" fragment(s)"_s;
    return u"source data ("_s + QString::number(compactJson(output.data()).toUtf8().size()) + u" bytes)"_s;
}

QString describePart(const QueryPlanPart &part)
{
    return u"adapter '"_s + part.adapterId + u"', source '"_s + part.informationSourceId + u'\'';
}

// The process-wide state the job's ops share: adapters and translator, made when first needed (so
// the code server, which only describes the job, never loads plugins or mappings).
class Runtime
{
public:
    explicit Runtime(Options options)
        : m_options(std::move(options))
    {
        for (const QString &token :
             { m_options.settings.queryPlannerResultsToken, m_options.settings.translatorToken })
            redaction::addSecret(token);
    }

    const Options &options() const { return m_options; }

    const adapters::AdapterRegistry &registry()
    {
        std::call_once(m_adaptersOnce, [this] {
            if (m_options.adapters) {
                m_adapters = m_options.adapters;
                return;
            }
            m_adapters = adapters::AdapterRegistry::fromEnvironment(&m_adapterProblems);
            for (const QString &problem : std::as_const(m_adapterProblems))
                qCWarning(lcLifJob, "%s", qUtf8Printable(problem));
        });
        return *m_adapters;
    }
    QStringList adapterProblems()
    {
        (void)registry();
        return m_adapterProblems;
    }

    Result<detail::PartTranslator *> translator()
    {
        std::call_once(m_translatorOnce, [this] {
            auto made = detail::makeTranslator(m_options.settings, m_options.mappingSource);
            if (made)
                m_translator = std::move(made.value());
            else
                m_translatorError = made.error();
        });
        if (m_translatorError)
            return *m_translatorError;
        return m_translator.get();
    }

    adapters::AdapterContext adapterContext(OpContext &context) const
    {
        adapters::AdapterContext out;
        out.timeout = m_options.settings.httpTimeout;
        out.isCanceled = [&context] {
            return context.isCancelRequested();
        };
        out.log = [&context](adapters::AdapterContext::Level level, const QString &message) {
            switch (level) {
            case adapters::AdapterContext::Level::Debug:
                context.log().debug(message);
                break;
            case adapters::AdapterContext::Level::Info:
                context.log().info(message);
                break;
            case adapters::AdapterContext::Level::Warning:
                context.log().warning(message);
                break;
            case adapters::AdapterContext::Level::Error:
                context.log().error(message);
                break;
            }
        };
        return out;
    }

private:
    Options m_options;
    std::once_flag m_adaptersOnce;
    std::shared_ptr<const adapters::AdapterRegistry> m_adapters;
    QStringList m_adapterProblems;
    std::once_flag m_translatorOnce;
    std::unique_ptr<detail::PartTranslator> m_translator;
    std::optional<Error> m_translatorError;
};

using RuntimePtr = std::shared_ptr<Runtime>;

const QList<QueryPlanPart> &configuredParts(const OpContext &context)
{
    static const QList<QueryPlanPart> none;
    const Parts *parts = context.resources().get<Parts>(QString(kResourceName));
    return parts && *parts ? **parts : none;
}

QueryPlanPart partFromInput(const QJsonValue &value)
{
    auto part = QueryPlanPart::fromJson(value, kPartKey);
    if (!part) // only this job's own ops produce the value
        throw execution::OpFailure(u"internal: "_s + part.error().message, false);
    return *part;
}

// time.time(), strictly increasing within the process so that two parts never share a hash.
double uniqueUnixSeconds()
{
    static std::atomic<double> last { 0.0 };
    using namespace std::chrono;
    double now = double(duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count()) / 1e9;
    double previous = last.load();
    while (true) {
        if (now <= previous)
            now = std::nextafter(previous, INFINITY);
        if (last.compare_exchange_weak(previous, now))
            return now;
    }
}

// The part that gives up on its last attempt: LIF returns "no data" instead of failing the run.
bool isLastAttempt(const OpContext &context)
{
    return context.retryNumber() >= kMaxRetriesSubgraph - 1;
}

// --- ops ---------------------------------------------------------------------------------------

Status createDynamicPipelines(OpContext &context, Runtime &runtime)
{
    const QStringList known = runtime.registry().ids();
    for (const QString &problem : runtime.adapterProblems())
        context.log().warning(u"Adapter loading: "_s + problem);
    for (const QueryPlanPart &part : configuredParts(context)) {
        const QString key = generateMappingKey(part, uniqueUnixSeconds());
        context.log().info(u"Creating dynamic pipeline "_s + key + u" for "_s + describePart(part) + u'.');
        context.log().debug(u"Part: "_s + compactJson(part.toJson()));
        if (!known.contains(part.adapterId))
            context.log().warning(u"Adapter '"_s + part.adapterId + u"' is unknown (known: "_s
                                  + known.join(u", "_s) + u"); its part will have no data."_s);
        context.dynamicOutput(key, part.toJson());
    }
    return {};
}

Result<AdapterOutput> callAdapter(OpContext &context, Runtime &runtime, const QueryPlanPart &part)
{
    const auto adapter = runtime.registry().find(part.adapterId);
    if (!adapter)
        return Error { u"lifjob.unknown_adapter"_s,
                       u"Unknown adapter id '"_s + part.adapterId + u"' (known: "_s
                           + runtime.registry().ids().join(u", "_s) + u')' };
    const auto lookup =
        adapters::lookupCredentials(part.adapterId, part.informationSourceId, adapter->credentialKeys(),
                                    runtime.options().credentialEnvironment);
    for (const QString &warning : lookup.warnings)
        context.log().warning(warning);
    // Whatever echoes a secret credential later (an error text) is masked; endpoints stay readable.
    for (auto it = lookup.credentials.cbegin(); it != lookup.credentials.cend(); ++it) {
        if (redaction::isSecretName(
                adapters::credentialVariableName(part.adapterId, part.informationSourceId, it.key())))
            redaction::addSecret(it.value());
    }
    context.log().info(u"Retrieved credentials for adapter '"_s + part.adapterId + u"' with source '"_s
                       + part.informationSourceId + u"'"_s);
    context.log().info(u"Available credential keys from the environment: ["_s
                       + QStringList(lookup.credentials.keys()).join(u", "_s) + u']');

    QElapsedTimer timer;
    timer.start();
    auto output = adapter->run(part, lookup.credentials, runtime.adapterContext(context));
    const QString took = milliseconds(timer.nsecsElapsed());
    if (output) {
        context.log().info(u"Adapter '"_s + part.adapterId + u"' executed successfully in "_s + took + u": "_s
                           + describeOutput(*output) + u'.');
        context.log().debug(u"Adapter data: "_s + compactJson(output->toJson()));
    } else {
        context.log().warning(u"Adapter '"_s + part.adapterId + u"' failed after "_s + took + u": "_s
                              + output.error().message);
    }
    return output;
}

Status runLifAdapter(OpContext &context, Runtime &runtime)
{
    const QueryPlanPart part = partFromInput(context.input(kPartKey));
    const auto output = callAdapter(context, runtime, part);
    if (output) {
        context.output(subgraphResult(part, *output));
        return {};
    }
    context.throwIfCancelRequested();
    if (isLastAttempt(context)) {
        context.log().error(u"run_lif_adapter failed after "_s + QString::number(context.retryNumber())
                            + u" retries for adapter_id="_s + part.adapterId + u" information_source_id="_s
                            + part.informationSourceId + u": "_s + output.error().message);
        context.output(subgraphResult(part, std::nullopt));
        return {};
    }
    return context.failure(output.error().message, output.error().code);
}

Result<PartResult> translate(OpContext &context, Runtime &runtime, const QueryPlanPart &part,
                             const QJsonObject &upstream)
{
    if (upstream.value(kKindKey).toString() == kPartResultKind)
        return Error { u"lifjob.translation"_s,
                       u"adapter '"_s + part.adapterId
                           + u"' returned a LIF part result; only source data can be translated (drop the "
                             "part's translation)"_s };
    const auto translator = runtime.translator();
    if (!translator)
        return translator.error();
    const QString source = part.translation->sourceSchemaId;
    const QString target = part.translation->targetSchemaId;
    QElapsedTimer timer;
    timer.start();
    const auto translated =
        (*translator)->translate(source, target, upstream.value(kDataKey), runtime.adapterContext(context));
    const QString took = milliseconds(timer.nsecsElapsed());
    if (!translated) {
        context.log().warning(u"Translation "_s + source + u" → "_s + target + u" by "_s
                              + (*translator)->describe() + u" failed after "_s + took + u": "_s
                              + translated.error().message);
        return translated.error();
    }
    context.log().info(u"Translated "_s + source + u" → "_s + target + u" by "_s + (*translator)->describe()
                       + u" in "_s + took + u'.');
    context.log().debug(u"Translation API response: "_s + compactJson(*translated));

    QStringList notes;
    auto fragments = requestedFragments(*translated, part.lifFragmentPaths, &notes);
    for (const QString &note : std::as_const(notes))
        context.log().debug(note);
    if (!fragments)
        return fragments.error();
    PartResult result;
    result.informationSourceId = part.informationSourceId;
    result.adapterId = part.adapterId;
    result.dataTimestamp = adapters::pythonUtcNowIsoformat();
    result.personId = part.personId;
    result.fragments = *fragments;
    return result;
}

Status runTranslation(OpContext &context, Runtime &runtime)
{
    const QJsonObject upstream = context.input(u"upstream_input"_s).toObject();
    const QueryPlanPart part = partFromInput(upstream.value(kPartKey));
    if (!part.translation) {
        context.log().info(u"Skipping Translation as it's not part of the query plan."_s);
        context.output(upstream);
        return {};
    }
    if (upstream.value(kDataKey).isNull()) {
        context.log().info(u"Skipping Translation as there is no data from the adapter."_s);
        context.output(subgraphResult(part, std::nullopt));
        return {};
    }
    context.log().info(u"Running Translation for "_s + describePart(part) + u'.');
    const auto result = translate(context, runtime, part, upstream);
    if (result) {
        QStringList counts;
        for (const adapters::Fragment &f : result->fragments)
            counts.append(f.fragmentPath + u": "_s + QString::number(f.fragment.size()));
        context.log().info(u"Translation result: "_s + QString::number(result->fragments.size())
                           + u" fragment(s) ("_s + counts.join(u", "_s) + u")."_s);
        context.log().debug(u"Translation result: "_s + compactJson(result->toJson()));
        context.output(subgraphResult(part, AdapterOutput::partResult(*result)));
        return {};
    }
    context.throwIfCancelRequested();
    if (isLastAttempt(context)) {
        context.log().error(u"run_translation failed after "_s + QString::number(context.retryNumber())
                            + u" retries: "_s + result.error().message);
        context.output(subgraphResult(part, std::nullopt));
        return {};
    }
    return context.failure(result.error().message, result.error().code);
}

Status collectResults(OpContext &context)
{
    const QJsonArray results = context.input(u"results"_s).toArray();
    QJsonArray partResults;
    int withData = 0;
    for (const QueryPlanPart &part : configuredParts(context)) {
        QList<QJsonObject> matching;
        for (const QJsonValue &r : results) {
            const QJsonObject result = r.toObject();
            if (result.value(kDataKey).isNull() || result.value(kDataKey).isUndefined())
                continue;
            const QJsonObject p = result.value(kPartKey).toObject();
            if (p.value(u"information_source_id"_s).toString() == part.informationSourceId
                && p.value(u"adapter_id"_s).toString() == part.adapterId)
                matching.append(result);
        }
        if (matching.size() > 1)
            context.log().warning(u"Multiple results found for part with "_s + describePart(part)
                                  + u". Using the first one."_s);
        if (matching.isEmpty()) {
            PartResult none;
            none.informationSourceId = part.informationSourceId;
            none.adapterId = part.adapterId;
            none.personId = part.personId;
            none.error = QString(kNoDataError);
            partResults.append(none.toJson());
            continue;
        }
        // Source data that was never translated must already be a part result (pydantic checks it).
        auto checked =
            PartResult::fromJson(matching.first().value(kDataKey), u"data of "_s + describePart(part));
        if (!checked)
            throw execution::OpFailure(
                checked.error().message
                    + u" (an adapter that returns source data needs a translation in its part)"_s,
                false);
        partResults.append(checked->toJson());
        ++withData;
    }
    const QJsonObject document { { u"run_id"_s, context.runId() },
                                 { u"query_plan_part_results"_s, partResults } };
    context.log().info(u"Final Orchestrator Job Results: "_s + QString::number(partResults.size())
                       + u" part(s), "_s + QString::number(withData) + u" with data, "_s
                       + QString::number(partResults.size() - withData) + u" without."_s);
    context.log().debug(u"Final Orchestrator Job Results: "_s + compactJson(document));
    context.output(document);
    return {};
}

Status sendResults(OpContext &context, Runtime &runtime)
{
    namespace http = adapters::http;
    const Settings &settings = runtime.options().settings;
    if (settings.queryPlannerResultsBaseUrl.isEmpty())
        throw execution::OpFailure(
            u"LIF_QUERY_PLANNER_RESULTS_BASE_URL is not set, so the results (kept with the "
            "run) were not sent to the query planner"_s,
            false);
    const QString endpoint = settings.queryPlannerResultsBaseUrl + u"/orchestration/results"_s;
    http::Request request;
    request.method = "POST";
    request.url = QUrl(endpoint);
    if (!request.url.isValid() || request.url.host().isEmpty())
        throw execution::OpFailure(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL does not make a valid URL: "_s
                                       + http::displayUrl(request.url),
                                   false);
    request.headers = { { "Content-Type", "application/json" }, { "User-Agent", "LIF-Orchestrator" } };
    if (!settings.queryPlannerResultsToken.isEmpty())
        request.headers.append({ "Authorization", "Bearer " + settings.queryPlannerResultsToken.toUtf8() });
    request.body = QJsonDocument(context.input(u"job_results"_s).toObject()).toJson(QJsonDocument::Compact);
    request.timeout = settings.httpTimeout;
    const http::Response response = http::send(request, [&context] { return context.isCancelRequested(); });
    context.log().info(http::describeExchange(request, response));
    context.throwIfCancelRequested();
    if (!response.isSuccess()) {
        const Error error = http::failure(request, response);
        context.log().warning(u"Sending the results failed: "_s + error.message);
        return context.failure(error.message, error.code);
    }
    context.log().debug(u"Results successfully sent to Query Planner at "_s + http::displayUrl(request.url));
    return {};
}

// The plan a run gets when its config names none, as LIF's job defines it: two LIF GraphQL sources
// and the Example Data Source with translation (what the launchpad shows).
QJsonArray defaultParts()
{
    auto part = [](const QString &source, const QString &adapter, const QStringList &paths) {
        return QJsonObject { { u"information_source_id"_s, source },
                             { u"adapter_id"_s, adapter },
                             { u"person_id"_s,
                               QJsonObject { { u"identifier"_s, u"100001"_s },
                                             { u"identifierType"_s, u"School-assigned number"_s } } },
                             { u"lif_fragment_paths"_s, QJsonArray::fromStringList(paths) } };
    };
    QJsonObject example = part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                               { u"person.employmentPreferences"_s });
    example.insert(u"translation"_s,
                   QJsonObject { { u"source_schema_id"_s, u"26"_s }, { u"target_schema_id"_s, u"17"_s } });
    return QJsonArray {
        part(u"org2"_s, u"lif-to-lif"_s,
             { u"person.positionPreferences"_s, u"person.employmentLearningExperience"_s }),
        part(u"org3"_s, u"lif-to-lif"_s,
             { u"person.credentialAward"_s, u"person.courseLearningExperience"_s }),
        example,
    };
}

} // namespace

execution::RetryPolicy lifRetryPolicy()
{
    return execution::RetryPolicy { .maxRetries = kMaxRetriesSubgraph,
                                    .delaySeconds = 0.2,
                                    .backoff = execution::Backoff::Exponential,
                                    .jitter = execution::Jitter::PlusMinus };
}

Settings Settings::fromEnvironment(const QProcessEnvironment &environment)
{
    Settings s;
    s.queryPlannerResultsBaseUrl = environment.value(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s).trimmed();
    s.queryPlannerResultsToken = environment.value(u"LIF_QUERY_PLANNER_RESULTS_TOKEN"_s).trimmed();
    s.translatorBaseUrl = environment.value(u"LIF_TRANSLATOR_BASE_URL"_s).trimmed();
    s.translatorToken = environment.value(u"LIF_TRANSLATOR_TOKEN"_s).trimmed();
    s.mappingsDirectory = environment.value(u"LIF_TRANSLATOR_MAPPINGS_DIR"_s).trimmed();
    s.mdr.baseUrl = QUrl(environment.value(u"LIF_MDR_API_URL"_s).trimmed());
    s.mdr.apiKey = environment.value(u"LIF_MDR_API_AUTH_TOKEN"_s).trimmed();
    s.mdr.tenantSchema = environment.value(u"LIF_MDR_API_TENANT_SCHEMA"_s).trimmed();
    bool ok = false;
    const double seconds = environment.value(u"LIF_HTTP_TIMEOUT_SECONDS"_s).toDouble(&ok);
    if (ok && seconds > 0)
        s.httpTimeout = std::chrono::milliseconds(qint64(seconds * 1000));
    return s;
}

QString pythonFloatRepr(double value)
{
    char buffer[64];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    QString text = QString::fromLatin1(buffer, written.ptr - buffer);
    if (!text.contains(u'.'))
        text += u".0"_s;
    return text;
}

QString generateMappingKey(const QueryPlanPart &part, double unixSeconds)
{
    QString base = part.adapterId;
    base.replace(u'-', u'_');
    QString source = part.informationSourceId;
    source.replace(u'-', u'_');
    const QByteArray suffix = pythonFloatRepr(unixSeconds).replace(u'.', u'_').toUtf8();
    const QByteArray hash = QCryptographicHash::hash(suffix, QCryptographicHash::Sha256).toHex().left(8);
    return base + u"__"_s + source + u"__"_s + part.personId.identifier + u"__"_s + QString::fromLatin1(hash);
}

execution::ConfigTypePtr queryPlanPartConfigType()
{
    using namespace execution;
    // Permissive like pydantic: members LIF may add later pass through.
    return cfg::Permissive({
        { u"information_source_id"_s, cfg::field(cfg::String(), u"Identifier of the information source."_s) },
        { u"adapter_id"_s,
          cfg::field(cfg::String(), u"The adapter that reads the source, e.g. lif-to-lif."_s) },
        { u"person_id"_s,
          cfg::field(cfg::Permissive({ { u"identifier"_s, cfg::field(cfg::String()) },
                                       { u"identifierType"_s, cfg::field(cfg::String()) } }),
                     u"The person to look up."_s) },
        { u"lif_fragment_paths"_s,
          cfg::field(cfg::Array(cfg::String()),
                     u"LIF fragment paths wanted, e.g. person.employmentPreferences."_s) },
        { u"translation"_s,
          cfg::optionalField(
              cfg::Noneable(cfg::Permissive({ { u"source_schema_id"_s, cfg::field(cfg::String()) },
                                              { u"target_schema_id"_s, cfg::field(cfg::String()) } })),
              u"MDR data models to translate the source's data between."_s) },
    });
}

execution::JobBuilder lifDynamicPipelineJob(Options options)
{
    using namespace execution;
    const RetryPolicy policy = options.retryPolicy;
    auto runtime = std::make_shared<Runtime>(std::move(options));
    const QString resource(kResourceName);

    ResourceDefinition config {
        .name = resource,
        .description = u"The query plan parts of this run (LIF's SharedOpConfig)."_s,
        .config =
            cfg::field(cfg::Shape({ { u"lif_query_plan_parts"_s,
                                      cfg::defaulted(cfg::Array(queryPlanPartConfigType()), QJsonArray(),
                                                     u"One entry per information source to ask."_s) } })),
        .factory = [](const QJsonValue &value) -> Result<std::any> {
            auto parts = std::make_shared<QList<QueryPlanPart>>();
            const QJsonArray list = value.toObject().value(u"lif_query_plan_parts"_s).toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                auto part = QueryPlanPart::fromJson(
                    list[i],
                    u"resources.config_resource.config.lif_query_plan_parts["_s + QString::number(i) + u']');
                if (!part)
                    return part.error();
                parts->append(*part);
            }
            return std::any(Parts(std::move(parts)));
        },
    };

    OpDefinition create {
        .name = QString(kCreateOp),
        .description = u"Fans out one pipeline per query plan part."_s,
        .outputs = { OutputDefinition { .name = u"result"_s, .isDynamic = true } },
        .requiredResources = { resource },
        .compute = [runtime](OpContext &context) { return createDynamicPipelines(context, *runtime); },
    };
    OpDefinition adapter {
        .name = QString(kAdapterOp),
        .description = u"Reads the part's person from its source with the part's adapter."_s,
        .inputs = { InputDefinition { .name = kPartKey } },
        .outputs = { OutputDefinition { .name = u"result"_s, .isRequired = false } },
        .retryPolicy = policy,
        .compute = [runtime](OpContext &context) { return runLifAdapter(context, *runtime); },
    };
    OpDefinition translation {
        .name = QString(kTranslationOp),
        .description = u"Translates source data to LIF and cuts out the requested fragments."_s,
        .inputs = { InputDefinition { .name = u"upstream_input"_s } },
        .outputs = { OutputDefinition { .name = u"result"_s, .isRequired = false } },
        .retryPolicy = policy,
        .requiredResources = { resource },
        .compute = [runtime](OpContext &context) { return runTranslation(context, *runtime); },
    };
    OpDefinition collectOp {
        .name = QString(kCollectOp),
        .description = u"Builds the results document: one result per configured part, in config order."_s,
        .inputs = { InputDefinition { .name = u"results"_s } },
        .requiredResources = { resource },
        .compute = [](OpContext &context) { return collectResults(context); },
    };
    OpDefinition send {
        .name = QString(kSendOp),
        .description = u"POSTs the results document to LIF's query planner."_s,
        .inputs = { InputDefinition { .name = u"job_results"_s } },
        .outputs = { OutputDefinition { .name = u"result"_s, .isRequired = false } },
        .retryPolicy = policy,
        .compute = [runtime](OpContext &context) { return sendResults(context, *runtime); },
    };

    JobBuilder job { QString(kJobName) };
    job.description(
           u"LIF's orchestration job: each query plan part through its adapter and translation, then the "
           "results to the query planner."_s)
        .tag(QString(execution::kResultStepTag), QString(kCollectOp))
        .defaultRunConfig(QJsonObject {
            { u"resources"_s,
              QJsonObject {
                  { resource,
                    QJsonObject { { u"config"_s,
                                    QJsonObject { { u"lif_query_plan_parts"_s, defaultParts() } } } } } } } })
        .resource(std::move(config));
    job.add(std::move(create));
    job.add(std::move(adapter), { { kPartKey, from(QString(kCreateOp)) } });
    job.add(std::move(translation), { { u"upstream_input"_s, from(QString(kAdapterOp)) } });
    job.add(std::move(collectOp), { { u"results"_s, collect(QString(kTranslationOp)) } });
    job.add(std::move(send), { { u"job_results"_s, from(QString(kCollectOp)) } });
    return job;
}

Status registerLifJob(execution::JobRegistry &registry, Options options)
{
    return registry.add(lifDynamicPipelineJob(std::move(options)));
}

} // namespace lifdag::lifjob
