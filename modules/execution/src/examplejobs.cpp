#include "lifdag/execution/examplejobs.h"

#include "lifdag/execution/errorinfo.h"
#include "lifdag/execution/opcontext.h"

#include <QCryptographicHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace lifdag::execution::examples {

namespace {
const QString kExampleTag = u"lifdag/example"_s;
}

JobBuilder helloJob()
{
    OpDefinition hello {
        .name = u"hello"_s,
        .description = u"Logs a greeting and yields it."_s,
        .config = cfg::field(
            cfg::Shape({ { u"name"_s, cfg::defaulted(cfg::String(), u"world"_s, u"Whom to greet."_s) } })),
        .compute = [](OpContext &context) -> Status {
            const QString greeting = u"Hello, "_s + context.opConfig()[u"name"_s].toString() + u'!';
            context.log().info(greeting);
            context.output(greeting);
            return {};
        },
    };
    JobBuilder job(u"hello_job"_s);
    job.description(u"One op that logs a greeting: the smallest run there is."_s).tag(kExampleTag, u"true"_s);
    job.add(std::move(hello));
    return job;
}

JobBuilder diamondJob()
{
    OpDefinition start {
        .name = u"start"_s,
        .description = u"Yields the configured value."_s,
        .config = cfg::field(cfg::Shape({ { u"value"_s, cfg::defaulted(cfg::Int(), 1) } })),
        .compute = [](OpContext &context) -> Status {
            const int value = context.opConfig()[u"value"_s].toInt();
            context.log().info(u"start yields "_s + QString::number(value));
            context.output(value);
            return {};
        },
    };
    OpDefinition left {
        .name = u"left"_s,
        .description = u"Adds one."_s,
        .inputs = { InputDefinition { .name = u"value"_s } },
        .compute = [](OpContext &context) -> Status {
            context.output(context.input(u"value"_s).toInt() + 1);
            return {};
        },
    };
    OpDefinition right {
        .name = u"right"_s,
        .description = u"Doubles."_s,
        .inputs = { InputDefinition { .name = u"value"_s } },
        .compute = [](OpContext &context) -> Status {
            context.output(context.input(u"value"_s).toInt() * 2);
            return {};
        },
    };
    OpDefinition join {
        .name = u"join"_s,
        .description = u"Adds both branches."_s,
        .inputs = { InputDefinition { .name = u"left"_s }, InputDefinition { .name = u"right"_s } },
        .compute = [](OpContext &context) -> Status {
            const int sum = context.input(u"left"_s).toInt() + context.input(u"right"_s).toInt();
            context.log().info(u"join yields "_s + QString::number(sum));
            context.output(sum);
            return {};
        },
    };
    JobBuilder job(u"diamond_job"_s);
    job.description(u"Four ops in a diamond: start feeds left and right, join waits for both."_s)
        .tag(kExampleTag, u"true"_s);
    job.add(std::move(start));
    job.add(std::move(left), { { u"value"_s, from(u"start"_s) } });
    job.add(std::move(right), { { u"value"_s, from(u"start"_s) } });
    job.add(std::move(join), { { u"left"_s, from(u"left"_s) }, { u"right"_s, from(u"right"_s) } });
    return job;
}

JobBuilder fanoutJob()
{
    OpDefinition fanOut {
        .name = u"fan_out"_s,
        .description = u"Yields one dynamic output per work item."_s,
        .outputs = { OutputDefinition { .name = u"result"_s, .isDynamic = true } },
        .config = cfg::field(cfg::Shape({
            { u"count"_s, cfg::defaulted(cfg::Int(), 10, u"How many work items to fan out."_s) },
            { u"sleep_ms"_s, cfg::defaulted(cfg::Int(), 0, u"How long each work item sleeps."_s) },
            { u"fail_keys"_s,
              cfg::defaulted(cfg::Array(cfg::String()), QJsonArray(),
                             u"Mapping keys whose work item fails."_s) },
        })),
        .compute = [](OpContext &context) -> Status {
            const QJsonObject config = context.opConfig().toObject();
            const int count = config[u"count"_s].toInt();
            if (count < 0)
                return context.failure(u"count must not be negative, got "_s + QString::number(count),
                                       u"fanout.config"_s);
            const QJsonArray failKeys = config[u"fail_keys"_s].toArray();
            for (int i = 0; i < count; ++i) {
                const QString key = u"item_"_s + QString::number(i);
                context.dynamicOutput(key,
                                      QJsonObject { { u"index"_s, i },
                                                    { u"sleep_ms"_s, config[u"sleep_ms"_s] },
                                                    { u"fail"_s, failKeys.contains(key) } });
            }
            context.log().info(u"Fanned out "_s + QString::number(count) + u" work items."_s);
            return {};
        },
    };
    OpDefinition work {
        .name = u"work"_s,
        .description = u"Sleeps, then fails or squares its index."_s,
        .inputs = { InputDefinition { .name = u"item"_s } },
        .compute = [](OpContext &context) -> Status {
            const QJsonObject item = context.input(u"item"_s).toObject();
            const int sleepMs = item[u"sleep_ms"_s].toInt();
            if (sleepMs > 0 && !context.sleepFor(std::chrono::milliseconds(sleepMs)))
                throw OpInterrupted();
            if (item[u"fail"_s].toBool())
                throw OpFailure(u"Work item "_s + context.mappingKey()
                                + u" fails as configured by fail_keys."_s);
            const int index = item[u"index"_s].toInt();
            context.output(QJsonObject {
                { u"key"_s, context.mappingKey() }, { u"index"_s, index }, { u"value"_s, index * index } });
            return {};
        },
    };
    OpDefinition gather {
        .name = u"gather"_s,
        .description = u"Collects every work result."_s,
        .inputs = { InputDefinition { .name = u"results"_s } },
        .compute = [](OpContext &context) -> Status {
            const QJsonArray results = context.input(u"results"_s).toArray();
            QJsonArray keys;
            double sum = 0;
            for (const QJsonValue &r : results) {
                keys.append(r[u"key"_s]);
                sum += r[u"value"_s].toDouble();
            }
            context.log().info(u"Gathered "_s + QString::number(results.size()) + u" results."_s);
            context.output(
                QJsonObject { { u"count"_s, results.size() }, { u"keys"_s, keys }, { u"sum"_s, sum } });
            return {};
        },
    };
    JobBuilder job(u"fanout_job"_s);
    job.description(u"Dynamic fan-out of configurable sleeps and failures, then a collect."_s)
        .tag(kExampleTag, u"true"_s);
    job.add(std::move(fanOut));
    job.add(std::move(work), { { u"item"_s, from(u"fan_out"_s) } });
    job.add(std::move(gather), { { u"results"_s, collect(u"work"_s) } });
    return job;
}

JobBuilder flakyJob()
{
    OpDefinition flaky {
        .name = u"flaky"_s,
        .description = u"Fails its first attempts, then succeeds."_s,
        .config = cfg::field(cfg::Shape(
            { { u"failures"_s,
                cfg::defaulted(cfg::Int(), 2, u"How many attempts fail before one succeeds."_s) } })),
        .retryPolicy = RetryPolicy { .maxRetries = 3,
                                     .delaySeconds = 0.01,
                                     .backoff = Backoff::Exponential,
                                     .jitter = Jitter::PlusMinus },
        .compute = [](OpContext &context) -> Status {
            const int failures = context.opConfig()[u"failures"_s].toInt();
            if (context.retryNumber() < failures) {
                return context.failure(u"Attempt "_s + QString::number(context.retryNumber() + 1) + u" of "_s
                                           + QString::number(failures) + u" planned failures."_s,
                                       u"flaky.planned_failure"_s);
            }
            context.log().info(u"Succeeded on attempt "_s + QString::number(context.retryNumber() + 1)
                               + u'.');
            context.output(QJsonObject { { u"attempts"_s, context.retryNumber() + 1 } });
            return {};
        },
    };
    JobBuilder job(u"flaky_job"_s);
    job.description(u"An op that fails a configurable number of times and succeeds under its retry policy."_s)
        .tag(kExampleTag, u"true"_s);
    job.add(std::move(flaky));
    return job;
}

JobBuilder envCheckJob()
{
    OpDefinition check {
        .name = u"check_env"_s,
        .description = u"Reports, for each named variable, whether the run sees it and a SHA-256 of its value."_s,
        .config = cfg::field(cfg::Shape({ { u"names"_s, cfg::field(cfg::Array(cfg::String())) } })),
        .compute = [](OpContext &context) -> Status {
            QJsonObject seen;
            for (const QJsonValue &name : context.opConfig()[u"names"_s].toArray()) {
                const QByteArray key = name.toString().toLocal8Bit();
                if (!qEnvironmentVariableIsSet(key.constData())) {
                    seen.insert(name.toString(), QJsonValue::Null);
                    continue;
                }
                const QByteArray digest = QCryptographicHash::hash(qgetenv(key.constData()), QCryptographicHash::Sha256);
                seen.insert(name.toString(), QString::fromLatin1(digest.toHex()));
            }
            context.log().info(u"checked "_s + QString::number(seen.size()) + u" variable(s)"_s);
            context.output(seen);
            return {};
        },
    };
    JobBuilder job(u"env_check_job"_s);
    job.description(u"Diagnoses environment passthrough to run workers: names and value digests, never values."_s)
        .tag(kExampleTag, u"true"_s);
    job.add(std::move(check));
    return job;
}

ScheduleDefinition helloSchedule()
{
    ScheduleDefinition schedule;
    schedule.name = u"hello_schedule"_s;
    schedule.cronSchedule = u"*/5 * * * *"_s;
    schedule.executionTimezone = u"UTC"_s;
    schedule.jobName = u"hello_job"_s;
    const QJsonObject helloConfig { { u"config"_s, QJsonObject { { u"name"_s, u"schedule"_s } } } };
    schedule.runConfig = QJsonObject { { u"ops"_s, QJsonObject { { u"hello"_s, helloConfig } } } };
    schedule.tags.insert(kExampleTag, u"true"_s);
    schedule.description =
        u"Greets every five minutes once started (lifdag schedule start hello_schedule)."_s;
    schedule.defaultStatus = ScheduleDefinition::DefaultStatus::Stopped;
    return schedule;
}

Status registerExampleJobs(JobRegistry &registry)
{
    for (const JobBuilder &builder : { helloJob(), diamondJob(), fanoutJob(), flakyJob(), envCheckJob() }) {
        const Status added = registry.add(builder);
        if (!added.ok())
            return added;
    }
    return registry.addSchedule(helloSchedule());
}

} // namespace lifdag::execution::examples
