// Throughput of lifdag's GraphQL engine on a typical API query (a page of runs with tags and a
// nested fragment), stage by stage, and on the standard introspection query.
//
//   graphql_bench [--seconds S] [--runs N]
#include "benchutil.h"

#include <lifdag/graphql/graphql.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <functional>

using namespace lifdag::graphql;

namespace {

const char *const kSdl = R"SDL(
type Query {
  runsOrError(limit: Int = 20, cursor: String): RunsOrError!
  runOrError(runId: ID!): RunOrError!
}
union RunsOrError = Runs | PythonError
union RunOrError = Run | RunNotFoundError | PythonError
type Runs { results: [Run!]! count: Int }
type Run { runId: String! status: RunStatus! jobName: String! tags: [PipelineTag!]! startTime: Float endTime: Float
           stats: RunStats! }
type RunStats { stepsSucceeded: Int! stepsFailed: Int! }
type PipelineTag { key: String! value: String! }
type RunNotFoundError { runId: String! message: String! }
type PythonError { message: String! stack: [String!]! }
enum RunStatus { QUEUED NOT_STARTED STARTING STARTED SUCCESS FAILURE CANCELING CANCELED }
)SDL";

const char *const kQuery = R"GQL(
query RunsPage($limit: Int!) {
  runsOrError(limit: $limit) {
    __typename
    ... on Runs {
      results { ...RunFields }
    }
    ... on PythonError { message stack }
  }
}
fragment RunFields on Run {
  runId status jobName startTime endTime
  tags { key value }
  stats { stepsSucceeded stepsFailed }
}
)GQL";

struct Measured
{
    double perSecond;
    double p50us;
    double p99us;
};

Measured measure(double seconds, const std::function<void()> &work)
{
    QList<double> samples;
    QElapsedTimer total;
    total.start();
    QElapsedTimer one;
    qint64 count = 0;
    while (total.nsecsElapsed() < qint64(seconds * 1e9)) {
        one.start();
        work();
        samples.append(double(one.nsecsElapsed()) / 1000.0);
        ++count;
    }
    const double elapsed = double(total.nsecsElapsed()) / 1e9;
    return Measured { double(count) / elapsed, lifdag::bench::percentile(samples, 50),
                      lifdag::bench::percentile(samples, 99) };
}

void print(const char *what, const Measured &m)
{
    std::printf("%-58s %12.0f /s   p50 %8.1f us   p99 %8.1f us\n", what, m.perSecond, m.p50us, m.p99us);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    double seconds = 2.0;
    int runs = 20;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1StringView("--seconds"))
            seconds = args[i + 1].toDouble();
        else if (args[i] == QLatin1StringView("--runs"))
            runs = args[i + 1].toInt();
    }

    QJsonArray page;
    for (int i = 0; i < runs; ++i) {
        QJsonArray tags;
        for (int t = 0; t < 4; ++t)
            tags.append(QJsonObject { { QStringLiteral("key"), QStringLiteral("dagster/tag%1").arg(t) },
                                      { QStringLiteral("value"), QStringLiteral("value-%1").arg(i) } });
        page.append(QJsonObject {
            { QStringLiteral("runId"), QStringLiteral("%1-run").arg(i, 8, 10, QLatin1Char('0')) },
            { QStringLiteral("status"), i % 3 ? QStringLiteral("SUCCESS") : QStringLiteral("STARTED") },
            { QStringLiteral("jobName"), QStringLiteral("lif_dynamic_pipeline_job") },
            { QStringLiteral("tags"), tags },
            { QStringLiteral("startTime"), 1700000000.5 + i },
            { QStringLiteral("endTime"), 1700000100.25 + i },
            { QStringLiteral("stats"),
              QJsonObject { { QStringLiteral("stepsSucceeded"), 12 },
                            { QStringLiteral("stepsFailed"), 0 } } } });
    }
    SchemaBuilder b;
    if (!b.addSdl(QString::fromUtf8(kSdl)).ok())
        return 1;
    b.resolve(QStringLiteral("Query"), QStringLiteral("runsOrError"),
              [page](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  const int limit = args.value(QLatin1StringView("limit")).toInt();
                  QJsonArray results;
                  for (qsizetype i = 0; i < page.size() && i < limit; ++i)
                      results.append(page.at(i));
                  return Value(QJsonObject { { QStringLiteral("__typename"), QStringLiteral("Runs") },
                                             { QStringLiteral("results"), results } });
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("runOrError"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult { return Value(); });
    auto schema = b.build();
    if (!schema.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(schema.error().message));
        return 1;
    }
    const QString query = QString::fromUtf8(kQuery);
    const QJsonObject variables { { QStringLiteral("limit"), runs } };
    Limits limits;

    std::printf("GraphQL engine, query of %d runs with 4 tags each (%lld bytes of response)\n", runs,
                static_cast<long long>([&] {
                    Engine e(*schema);
                    Request r;
                    r.query = query;
                    r.variables = variables;
                    return e.run(r).toJsonBytes().size();
                }()));

    print("parse", measure(seconds, [&] { Document::parse(query); }));
    const Document doc = Document::parse(query);
    print("validate (parsed document)", measure(seconds, [&] { validate(*schema, doc, limits); }));
    Request request;
    request.query = query;
    request.variables = variables;
    print("execute + serialize (validated document)",
          measure(seconds, [&] { executeDocument(*schema, doc, request).toJsonBytes(); }));
    print("parse + validate + execute + serialize (no cache)", measure(seconds, [&] {
              const Document d = Document::parse(query);
              if (validate(*schema, d, limits).isEmpty())
                  executeDocument(*schema, d, request).toJsonBytes();
          }));
    Engine engine(*schema);
    print("Engine::run + serialize (document cache hit)",
          measure(seconds, [&] { engine.run(request).toJsonBytes(); }));

    Request intro;
    intro.query = introspectionQuery();
    print("introspection query through Engine (cache hit)",
          measure(seconds, [&] { engine.run(intro).toJsonBytes(); }));
    return 0;
}
