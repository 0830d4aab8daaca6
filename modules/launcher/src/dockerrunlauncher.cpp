#include "lifdag/launcher/dockerrunlauncher.h"

#include "launcher_p.h"

#include <lifdag/codelocation/client.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>

namespace lifdag::launcher {

using namespace std::chrono_literals;

namespace {

const QString kRunIdLabel = QStringLiteral("lifdag/run_id");
const QString kJobLabel = QStringLiteral("lifdag/job");
const QString kLocationLabel = QStringLiteral("lifdag/location");

Error configError(const QString &key, const QString &message)
{
    return Error { QStringLiteral("launcher.config"),
                   QStringLiteral("run_launcher.config.%1: %2").arg(key, message) };
}

QString jsonText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return {};
}

bool isScalar(const QJsonValue &v)
{
    return v.isString() || v.isBool() || v.isDouble();
}

// "NAME=value" entries into `env` (later wins).
Status addEnvEntries(const QStringList &entries, QMap<QString, QString> *env)
{
    for (const QString &entry : entries) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error { QStringLiteral("launcher.env"),
                           QStringLiteral("expected NAME=value, got \"%1\"").arg(entry.left(40)) };
        env->insert(entry.left(eq), entry.mid(eq + 1));
    }
    return {};
}

// docker-py's mem_limit: bytes, or a number with b/k/m/g.
std::optional<qint64> memoryBytes(const QJsonValue &v)
{
    if (v.isDouble() && v.toDouble() > 0)
        return qint64(v.toDouble());
    static const QRegularExpression re(QStringLiteral(R"(^\s*(\d+)\s*([bkmgBKMG]?)\s*$)"));
    const auto m = re.match(v.toString());
    if (!m.hasMatch())
        return std::nullopt;
    qint64 n = m.captured(1).toLongLong();
    switch (m.captured(2).toLower().isEmpty() ? u'b' : m.captured(2).toLower().at(0).unicode()) {
    case u'g':
        n *= 1024;
        [[fallthrough]];
    case u'm':
        n *= 1024;
        [[fallthrough]];
    case u'k':
        n *= 1024;
        break;
    default:
        break;
    }
    return n > 0 ? std::optional<qint64>(n) : std::nullopt;
}

// docker-py splits a string entrypoint like a POSIX shell (shlex): quotes group, backslashes escape.
Result<QStringList> splitShellWords(const QString &text)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quote == u'\'') {
            if (c == u'\'')
                quote = QChar();
            else
                word += c;
        } else if (quote == u'"') {
            if (c == u'"')
                quote = QChar();
            else if (c == u'\\' && i + 1 < text.size() && QStringView(u"\"\\$`").contains(text.at(i + 1)))
                word += text.at(++i);
            else
                word += c;
        } else if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else {
            inWord = true;
            if (c == u'\'' || c == u'"')
                quote = c;
            else if (c == u'\\' && i + 1 < text.size())
                word += text.at(++i);
            else
                word += c;
        }
    }
    if (!quote.isNull())
        return Error { QStringLiteral("launcher.config"),
                       QStringLiteral("unterminated %1 quote").arg(quote) };
    if (inWord)
        words.append(word);
    return words;
}

// Docker's own network modes, which are not networks one can look up.
bool isNetworkMode(const QString &name)
{
    return name == QLatin1StringView("host") || name == QLatin1StringView("bridge")
        || name == QLatin1StringView("none") || name == QLatin1StringView("default")
        || name.startsWith(QLatin1StringView("container:"));
}

// The volume binds of container_kwargs.volumes ("src:dst[:mode]").
Result<QStringList> volumeBinds(const QJsonValue &volumes)
{
    QStringList binds;
    auto check = [](const QString &bind, const QString &where) -> Status {
        const QStringList parts = bind.split(QLatin1Char(':'));
        if (parts.size() < 2 || parts.size() > 3 || parts.at(0).isEmpty()
            || !parts.at(1).startsWith(QLatin1Char('/')))
            return configError(
                where, QStringLiteral("expected \"SOURCE:/container/path[:ro|rw]\", got \"%1\"").arg(bind));
        return {};
    };
    if (volumes.isArray()) {
        int i = 0;
        for (const QJsonValue &v : volumes.toArray()) {
            const QString where = QStringLiteral("container_kwargs.volumes[%1]").arg(i++);
            if (!v.isString())
                return configError(where,
                                   QStringLiteral("expected a string \"SOURCE:/container/path[:mode]\""));
            if (const Status s = check(v.toString(), where); !s)
                return s.error();
            binds.append(v.toString());
        }
        return binds;
    }
    if (volumes.isObject()) { // docker-py: {source: {bind: /path, mode: rw}}
        const QJsonObject o = volumes.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString where = QStringLiteral("container_kwargs.volumes.%1").arg(it.key());
            QString bind;
            if (it->isString()) {
                bind = it.key() + QLatin1Char(':') + it->toString();
            } else if (it->isObject()) {
                const QJsonObject b = it->toObject();
                bind = it.key() + QLatin1Char(':') + b.value(QLatin1StringView("bind")).toString();
                if (b.contains(QLatin1StringView("mode")))
                    bind += QLatin1Char(':') + b.value(QLatin1StringView("mode")).toString();
            } else {
                return configError(where, QStringLiteral("expected {bind: /container/path, mode: rw}"));
            }
            if (const Status s = check(bind, where); !s)
                return s.error();
            binds.append(bind);
        }
        return binds;
    }
    if (volumes.isNull() || volumes.isUndefined())
        return binds;
    return configError(QStringLiteral("container_kwargs.volumes"),
                       QStringLiteral("expected a list of \"SOURCE:/container/path[:mode]\""));
}

// "repo/name:tag" → ("repo/name", "tag"); digests and untagged names keep the whole reference.
QPair<QString, QString> splitImage(const QString &image)
{
    if (image.contains(QLatin1Char('@')))
        return { image, {} };
    const qsizetype colon = image.lastIndexOf(QLatin1Char(':'));
    if (colon > image.lastIndexOf(QLatin1Char('/')))
        return { image.left(colon), image.mid(colon + 1) };
    return { image, QStringLiteral("latest") };
}

bool keepsFinishedContainers(const config::DockerLauncherConfig &config)
{
    const QJsonValue v = config.containerKwargs.value(QLatin1StringView("auto_remove"));
    return v.isBool() && !v.toBool();
}

} // namespace

QString containerName(const QString &runId)
{
    return QStringLiteral("lifdag-run-") + runId;
}

const QStringList &supportedContainerKwargs()
{
    static const QStringList keys {
        QStringLiteral("auto_remove"),  QStringLiteral("entrypoint"), QStringLiteral("environment"),
        QStringLiteral("extra_hosts"),  QStringLiteral("labels"),     QStringLiteral("mem_limit"),
        QStringLiteral("network_mode"), QStringLiteral("user"),       QStringLiteral("volumes"),
        QStringLiteral("working_dir"),
    };
    return keys;
}

Result<ContainerSpec> buildContainerSpec(const config::DockerLauncherConfig &config,
                                         const ContainerInputs &in)
{
    ContainerSpec spec;
    spec.name = containerName(in.runId);
    const QJsonObject &kw = config.containerKwargs;
    for (auto it = kw.begin(); it != kw.end(); ++it) {
        if (supportedContainerKwargs().contains(it.key()))
            continue;
        if (it.key() == QLatin1StringView("name") || it.key() == QLatin1StringView("command")
            || it.key() == QLatin1StringView("image"))
            return configError(QStringLiteral("container_kwargs.") + it.key(),
                               QStringLiteral("set by the launcher for every run; remove it"));
        return configError(QStringLiteral("container_kwargs.") + it.key(),
                           QStringLiteral("not supported by lifdag's DockerRunLauncher (supported: %1)")
                               .arg(supportedContainerKwargs().join(QStringLiteral(", "))));
    }

    QJsonObject body;
    QJsonObject host;
    body.insert(QLatin1StringView("Image"), in.image);
    body.insert(QLatin1StringView("Cmd"),
                QJsonArray { QStringLiteral("lifdag"), QStringLiteral("execute-run"), in.runId });
    // The image's HEALTHCHECK probes the code server, which a run's container does not start.
    body.insert(QLatin1StringView("Healthcheck"),
                QJsonObject { { QLatin1StringView("Test"), QJsonArray { QStringLiteral("NONE") } } });

    if (kw.contains(QLatin1StringView("entrypoint"))) {
        const QJsonValue v = kw.value(QLatin1StringView("entrypoint"));
        QJsonArray entrypoint;
        if (v.isString()) {
            const auto words = splitShellWords(v.toString());
            if (!words)
                return configError(QStringLiteral("container_kwargs.entrypoint"), words.error().message);
            for (const QString &part : *words)
                entrypoint.append(part);
        } else if (v.isArray()) {
            for (const QJsonValue &part : v.toArray()) {
                if (!part.isString())
                    return configError(QStringLiteral("container_kwargs.entrypoint"),
                                       QStringLiteral("expected a string or a list of strings"));
                entrypoint.append(part);
            }
        } else if (!v.isNull()) {
            return configError(QStringLiteral("container_kwargs.entrypoint"),
                               QStringLiteral("expected a string or a list of strings"));
        }
        // [""] is how the Engine API clears an image's entrypoint ("" in LIF's dagster.yaml).
        if (entrypoint.isEmpty())
            entrypoint.append(QString());
        body.insert(QLatin1StringView("Entrypoint"), entrypoint);
    }

    QMap<QString, QString> env;
    for (const QString &entry : config.envVars) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq > 0) {
            env.insert(entry.left(eq), entry.mid(eq + 1));
        } else if (in.launcherEnv.contains(entry)) {
            env.insert(entry, in.launcherEnv.value(entry));
        } else {
            spec.warnings.append(
                QStringLiteral("run_launcher.config.env_vars: %1 is not set in the launcher's "
                               "environment, so the run's container does not get it")
                    .arg(entry));
        }
    }
    if (kw.contains(QLatin1StringView("environment"))) {
        const QJsonValue v = kw.value(QLatin1StringView("environment"));
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!isScalar(*it))
                    return configError(QStringLiteral("container_kwargs.environment.") + it.key(),
                                       QStringLiteral("expected a string value"));
                env.insert(it.key(), jsonText(*it));
            }
        } else if (v.isArray()) {
            QStringList entries;
            for (const QJsonValue &e : v.toArray())
                entries.append(e.toString());
            if (const Status s = addEnvEntries(entries, &env); !s)
                return configError(QStringLiteral("container_kwargs.environment"), s.error().message);
        } else {
            return configError(QStringLiteral("container_kwargs.environment"),
                               QStringLiteral("expected a map of NAME: value or a list of NAME=value"));
        }
    }
    if (const Status s = addEnvEntries(in.locationEnv, &env); !s)
        return Error { s.error().code,
                       QStringLiteral("code location %1: %2").arg(in.locationName, s.error().message) };
    if (const Status s = addEnvEntries(in.storageEnv, &env); !s)
        return s.error();
    QJsonArray envList;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        envList.append(QString(it.key() + QLatin1Char('=') + it.value()));
    body.insert(QLatin1StringView("Env"), envList);

    QJsonObject labels;
    if (kw.contains(QLatin1StringView("labels"))) {
        const QJsonValue v = kw.value(QLatin1StringView("labels"));
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!isScalar(*it))
                    return configError(QStringLiteral("container_kwargs.labels.") + it.key(),
                                       QStringLiteral("expected a string value"));
                labels.insert(it.key(), jsonText(*it));
            }
        } else if (v.isArray()) {
            for (const QJsonValue &l : v.toArray())
                labels.insert(l.toString(), QString());
        } else {
            return configError(QStringLiteral("container_kwargs.labels"),
                               QStringLiteral("expected a map of label: value"));
        }
        for (auto it = labels.begin(); it != labels.end(); ++it) {
            if (it.key().isEmpty() || it.key().startsWith(QLatin1StringView("lifdag/")))
                return configError(
                    QStringLiteral("container_kwargs.labels"),
                    QStringLiteral("\"%1\": labels under lifdag/ are set by the launcher").arg(it.key()));
        }
    }
    labels.insert(kRunIdLabel, in.runId);
    labels.insert(kJobLabel, in.jobName);
    if (!in.locationName.isEmpty())
        labels.insert(kLocationLabel, in.locationName);
    body.insert(QLatin1StringView("Labels"), labels);

    for (const char *key : { "user", "working_dir" }) {
        const QJsonValue v = kw.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isString())
            return configError(QStringLiteral("container_kwargs.") + QLatin1StringView(key),
                               QStringLiteral("expected a string"));
        body.insert(QLatin1StringView(qstrcmp(key, "user") == 0 ? "User" : "WorkingDir"), v);
    }

    const auto binds = volumeBinds(kw.value(QLatin1StringView("volumes")));
    if (!binds)
        return binds.error();
    if (!binds->isEmpty())
        host.insert(QLatin1StringView("Binds"), QJsonArray::fromStringList(*binds));

    if (kw.contains(QLatin1StringView("extra_hosts"))) {
        const QJsonValue v = kw.value(QLatin1StringView("extra_hosts"));
        QJsonArray hosts;
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                hosts.append(QString(it.key() + QLatin1Char(':') + jsonText(*it)));
        } else if (v.isArray()) {
            for (const QJsonValue &h : v.toArray()) {
                if (!h.toString().contains(QLatin1Char(':')))
                    return configError(QStringLiteral("container_kwargs.extra_hosts"),
                                       QStringLiteral("expected \"host:ip\", got \"%1\"").arg(h.toString()));
                hosts.append(h);
            }
        } else {
            return configError(QStringLiteral("container_kwargs.extra_hosts"),
                               QStringLiteral("expected a map of host: ip"));
        }
        host.insert(QLatin1StringView("ExtraHosts"), hosts);
    }

    if (kw.contains(QLatin1StringView("mem_limit"))) {
        const auto bytes = memoryBytes(kw.value(QLatin1StringView("mem_limit")));
        if (!bytes)
            return configError(QStringLiteral("container_kwargs.mem_limit"),
                               QStringLiteral("expected bytes or a size like \"512m\" or \"2g\""));
        host.insert(QLatin1StringView("Memory"), double(*bytes));
    }

    if (kw.contains(QLatin1StringView("auto_remove"))) {
        const QJsonValue v = kw.value(QLatin1StringView("auto_remove"));
        if (!v.isBool())
            return configError(QStringLiteral("container_kwargs.auto_remove"),
                               QStringLiteral("expected true or false"));
        spec.removeWhenFinished = v.toBool();
    }

    QStringList networks;
    if (!config.network.isEmpty())
        networks.append(config.network);
    for (const QString &n : config.networks) {
        if (n.isEmpty())
            return configError(QStringLiteral("networks"), QStringLiteral("empty network name"));
        if (!networks.contains(n))
            networks.append(n);
    }
    const QString networkMode = kw.value(QLatin1StringView("network_mode")).toString();
    if (kw.contains(QLatin1StringView("network_mode"))) {
        if (networkMode.isEmpty())
            return configError(QStringLiteral("container_kwargs.network_mode"),
                               QStringLiteral("expected a network mode such as host, bridge or none"));
        if (!networks.isEmpty())
            return configError(
                QStringLiteral("container_kwargs.network_mode"),
                QStringLiteral("give either network/networks or container_kwargs.network_mode, "
                               "not both"));
        host.insert(QLatin1StringView("NetworkMode"), networkMode);
    }
    if (!networks.isEmpty())
        host.insert(QLatin1StringView("NetworkMode"), networks.first());
    if (!networks.isEmpty() && !isNetworkMode(networks.first())) {
        body.insert(QLatin1StringView("NetworkingConfig"),
                    QJsonObject { { QLatin1StringView("EndpointsConfig"),
                                    QJsonObject { { networks.first(), QJsonObject {} } } } });
    }
    spec.networks = networks;
    body.insert(QLatin1StringView("HostConfig"), host);
    spec.body = body;
    return spec;
}

Result<QStringList> workerStorageEnvironment(const config::InstanceConfig &instance,
                                             const config::DockerLauncherConfig &launcher)
{
    const config::StorageConfig &s = instance.runStorage;
    QJsonObject storage;
    QStringList env;
    if (s.backend == config::StorageConfig::Backend::Postgres) {
        QJsonObject db { { QLatin1StringView("hostname"), s.postgres.hostname },
                         { QLatin1StringView("port"), s.postgres.port },
                         { QLatin1StringView("username"), s.postgres.username },
                         { QLatin1StringView("db_name"), s.postgres.dbName } };
        if (s.postgres.password.isEmpty()) {
            db.insert(QLatin1StringView("password"), QString());
        } else {
            // The credential travels in its own variable, not inside the instance text.
            db.insert(
                QLatin1StringView("password"),
                QJsonObject { { QLatin1StringView("env"), QStringLiteral("LIFDAG_STORAGE_PASSWORD") } });
            env.append(QStringLiteral("LIFDAG_STORAGE_PASSWORD=") + s.postgres.password);
        }
        if (!s.postgres.params.isEmpty())
            db.insert(QLatin1StringView("params"), s.postgres.params);
        if (s.postgres.scheme != QLatin1StringView("postgresql"))
            db.insert(QLatin1StringView("scheme"), s.postgres.scheme);
        storage.insert(QLatin1StringView("postgres"),
                       QJsonObject { { QLatin1StringView("postgres_db"), db } });
    } else {
        const QString dir = s.sqliteBaseDir;
        const auto binds = volumeBinds(launcher.containerKwargs.value(QLatin1StringView("volumes")));
        bool reachable = false;
        for (const QString &bind : binds ? *binds : QStringList {}) {
            const QString target = bind.section(QLatin1Char(':'), 1, 1);
            if (dir == target
                || dir.startsWith(target.endsWith(QLatin1Char('/')) ? target : target + QLatin1Char('/')))
                reachable = true;
        }
        if (!reachable)
            return Error { QStringLiteral("launcher.storage"),
                           QStringLiteral(
                               "the instance keeps its runs in SQLite (%1), which a run's container "
                               "cannot reach: use PostgreSQL storage in dagster.yaml, or mount the "
                               "directory into run containers with run_launcher.config."
                               "container_kwargs.volumes: [\"%1:%1\"]")
                               .arg(dir) };
        storage.insert(QLatin1StringView("sqlite"), QJsonObject { { QLatin1StringView("base_dir"), dir } });
    }
    // JSON is YAML: `lifdag execute-run` parses it like a dagster.yaml.
    const QJsonObject yaml { { QLatin1StringView("storage"), storage } };
    env.prepend(QStringLiteral("LIFDAG_INSTANCE_YAML=")
                + QString::fromUtf8(QJsonDocument(yaml).toJson(QJsonDocument::Compact)));
    return env;
}

DockerRunLauncher::DockerRunLauncher(config::DockerLauncherConfig config, instance::Instance &instance,
                                     const LauncherContext &context)
    : RunLauncher(instance)
    , m_config(std::move(config))
    , m_context(context)
{ }

QString DockerRunLauncher::startingMessage(const storage::RunRecord &) const
{
    return QStringLiteral("Launching run in a new container.");
}

Result<DockerClient> DockerRunLauncher::client() const
{
    const auto socket = DockerClient::socketPath(m_context.environment);
    if (!socket)
        return socket.error();
    return DockerClient(*socket);
}

Status DockerRunLauncher::ensureNetworks(const DockerClient &docker, const QStringList &networks) const
{
    for (const QString &network : networks) {
        if (isNetworkMode(network))
            continue;
        const auto reply = docker.get(QStringLiteral("/networks/") + network);
        if (!reply)
            return reply.error();
        if (reply->status == 404)
            return Error { QStringLiteral("launcher.docker_network"),
                           QStringLiteral(
                               "network \"%1\" (run_launcher.config.network/networks) does not exist on "
                               "the Docker Engine at %2: %3. Create it, or name an existing network "
                               "in dagster.yaml")
                               .arg(network, docker.endpoint(), DockerClient::engineMessage(*reply)) };
        if (reply->status != 200)
            return Error { QStringLiteral("launcher.docker_network"),
                           QStringLiteral("looking up network \"%1\" on the Docker Engine at %2 failed: %3")
                               .arg(network, docker.endpoint(), DockerClient::engineMessage(*reply)) };
    }
    return {};
}

Status DockerRunLauncher::ensureImage(const DockerClient &docker, const QString &image,
                                      QStringList *warnings) const
{
    auto reply = docker.get(QStringLiteral("/images/%1/json").arg(image));
    if (!reply)
        return reply.error();
    if (reply->status == 404 && !m_config.registry.isEmpty()) {
        // Only pulled when missing, and only when a registry is configured (with its login).
        const auto [from, tag] = splitImage(image);
        const QJsonObject auth {
            { QLatin1StringView("username"),
              m_config.registry.value(QLatin1StringView("username")).toString() },
            { QLatin1StringView("password"),
              m_config.registry.value(QLatin1StringView("password")).toString() },
            { QLatin1StringView("serveraddress"),
              m_config.registry.value(QLatin1StringView("url")).toString() },
        };
        const QByteArray authHeader =
            QJsonDocument(auth).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding);
        QString query = QStringLiteral("/images/create?fromImage=") + from;
        if (!tag.isEmpty())
            query += QStringLiteral("&tag=") + tag;
        qCInfo(lcLauncher, "pulling image %s (not on the engine)", qPrintable(image));
        const auto pulled = docker.request("POST", query, {}, { { "X-Registry-Auth", authHeader } }, 15min);
        if (!pulled)
            return pulled.error();
        const QString streamed = DockerClient::streamError(pulled->body);
        if (pulled->status != 200 || !streamed.isEmpty())
            return Error { QStringLiteral("launcher.docker_image"),
                           QStringLiteral("pulling image \"%1\" through the Docker Engine at %2 failed: %3")
                               .arg(image, docker.endpoint(),
                                    streamed.isEmpty() ? DockerClient::engineMessage(*pulled) : streamed) };
        reply = docker.get(QStringLiteral("/images/%1/json").arg(image));
        if (!reply)
            return reply.error();
    }
    if (reply->status == 404)
        return Error { QStringLiteral("launcher.docker_image"),
                       QStringLiteral(
                           "image \"%1\" is not on the Docker Engine at %2: %3. Build or pull it there, "
                           "or configure run_launcher.config.registry so the launcher pulls missing "
                           "images")
                           .arg(image, docker.endpoint(), DockerClient::engineMessage(*reply)) };
    if (reply->status != 200)
        return Error { QStringLiteral("launcher.docker_image"),
                       QStringLiteral("the Docker Engine at %2 rejected image \"%1\": %3")
                           .arg(image, docker.endpoint(), DockerClient::engineMessage(*reply)) };
    const QJsonArray entrypoint = reply->json()
                                      .object()
                                      .value(QLatin1StringView("Config"))
                                      .toObject()
                                      .value(QLatin1StringView("Entrypoint"))
                                      .toArray();
    if (!entrypoint.isEmpty() && !m_config.containerKwargs.contains(QLatin1StringView("entrypoint")))
        warnings->append(
            QStringLiteral("image %1 has an entrypoint (%2) that receives `lifdag execute-run` as "
                           "its arguments; set run_launcher.config.container_kwargs.entrypoint: \"\" "
                           "to run the command directly")
                .arg(image, QString::fromUtf8(QJsonDocument(entrypoint).toJson(QJsonDocument::Compact))));
    return {};
}

void DockerRunLauncher::removeContainer(const DockerClient &docker, const QString &id) const
{
    const auto reply = docker.request("DELETE", QStringLiteral("/containers/%1?force=true&v=true").arg(id));
    if (!reply)
        qCWarning(lcLauncher, "removing container %s: %s", qPrintable(id), qPrintable(reply.error().message));
    else if (reply->status != 204 && reply->status != 404)
        qCWarning(lcLauncher, "removing container %s: %s", qPrintable(id),
                  qPrintable(DockerClient::engineMessage(*reply)));
}

Result<storage::WorkerInfo> DockerRunLauncher::startWorker(const storage::RunRecord &run)
{
    // The code location knows its image (DAGSTER_CURRENT_IMAGE) and the variables its runs get.
    const auto location = m_instance.codeLocation(run.locationName);
    if (!location)
        return location.error();
    const auto locationClient = codelocation::Client::shared(location->address());
    const auto context = detail::askCodeLocation(
        run.runId, [&] { return locationClient->runLaunchContext(run.runId); }, [](const auto &) {});
    if (!context)
        return Error { context.error().code,
                       QStringLiteral(
                           "cannot get the image and run environment of code location \"%1\" (%2): %3")
                           .arg(location->locationName, location->address(), context.error().message) };
    const QString image = m_config.image.isEmpty() ? context->image : m_config.image;
    if (image.isEmpty())
        return Error { QStringLiteral("launcher.no_image"),
                       QStringLiteral(
                           "no image to run: set run_launcher.config.image in %1, or DAGSTER_CURRENT_IMAGE "
                           "in the environment of code location \"%2\"")
                           .arg(m_instance.config().path.isEmpty() ? QStringLiteral("dagster.yaml")
                                                                   : m_instance.config().path,
                                location->locationName) };
    const auto storageEnv = workerStorageEnvironment(m_instance.config(), m_config);
    if (!storageEnv)
        return storageEnv.error();
    ContainerInputs inputs;
    inputs.runId = run.runId;
    inputs.jobName = run.jobName;
    inputs.locationName = location->locationName;
    inputs.image = image;
    inputs.locationEnv = context->env;
    inputs.storageEnv = *storageEnv;
    inputs.launcherEnv = m_context.environment;
    auto spec = buildContainerSpec(m_config, inputs);
    if (!spec)
        return spec.error();

    const auto docker = client();
    if (!docker)
        return docker.error();
    if (const Status s = ensureNetworks(*docker, spec->networks); !s)
        return s.error();
    if (const Status s = ensureImage(*docker, image, &spec->warnings); !s)
        return s.error();

    QElapsedTimer timer;
    timer.start();
    const auto created =
        docker->postJson(QStringLiteral("/containers/create?name=") + spec->name, QJsonDocument(spec->body));
    if (!created)
        return created.error();
    if (created->status == 409)
        return Error { QStringLiteral("launcher.docker_conflict"),
                       QStringLiteral("a container named %1 already exists on the Docker Engine at %2: %3")
                           .arg(spec->name, docker->endpoint(), DockerClient::engineMessage(*created)) };
    if (created->status != 201)
        return Error { QStringLiteral("launcher.docker_create"),
                       QStringLiteral(
                           "creating a container of image \"%1\" on the Docker Engine at %2 failed: %3")
                           .arg(image, docker->endpoint(), DockerClient::engineMessage(*created)) };
    const QJsonObject createdJson = created->json().object();
    const QString id = createdJson.value(QLatin1StringView("Id")).toString();
    for (const QJsonValue &w : createdJson.value(QLatin1StringView("Warnings")).toArray())
        spec->warnings.append(QStringLiteral("engine: ") + w.toString());
    const qint64 createMs = timer.restart();

    for (qsizetype i = 1; i < spec->networks.size(); ++i) {
        const auto connected =
            docker->postJson(QStringLiteral("/networks/%1/connect").arg(spec->networks.at(i)),
                             QJsonDocument(QJsonObject { { QLatin1StringView("Container"), id } }));
        if (!connected || connected->status != 200) {
            removeContainer(*docker, id);
            return Error { QStringLiteral("launcher.docker_network"),
                           QStringLiteral("connecting container %1 to network \"%2\" failed: %3")
                               .arg(spec->name, spec->networks.at(i),
                                    connected ? DockerClient::engineMessage(*connected)
                                              : connected.error().message) };
        }
    }

    const auto started = docker->request("POST", QStringLiteral("/containers/%1/start").arg(id));
    if (!started || (started->status != 204 && started->status != 304)) {
        removeContainer(*docker, id);
        return Error { QStringLiteral("launcher.docker_start"),
                       QStringLiteral("starting container %1 (image \"%2\") failed: %3")
                           .arg(spec->name, image,
                                started ? DockerClient::engineMessage(*started) : started.error().message) };
    }
    const qint64 startMs = timer.elapsed();

    for (const QString &w : std::as_const(spec->warnings))
        qCWarning(lcLauncher, "run %s: %s", qPrintable(run.runId), qPrintable(w));
    Event event =
        runEvent(run.runId, EventType::EngineEvent,
                 QStringLiteral("Started container %1 (%2) of image %3 through the Docker Engine at %4.")
                     .arg(spec->name, id.left(12), image, docker->endpoint()),
                 spec->warnings.isEmpty() ? QStringLiteral("INFO") : QStringLiteral("WARNING"));
    event.payload = QJsonObject {
        { QLatin1StringView("container_id"), id },
        { QLatin1StringView("container_name"), spec->name },
        { QLatin1StringView("image"), image },
        { QLatin1StringView("create_ms"), double(createMs) },
        { QLatin1StringView("start_ms"), double(startMs) },
        { QLatin1StringView("warnings"), QJsonArray::fromStringList(spec->warnings) },
    };
    if (const Status s = detail::appendEvent(m_instance, event); !s)
        qCWarning(lcLauncher, "run %s: %s", qPrintable(run.runId), qPrintable(s.error().message));
    qCInfo(lcLauncher, "run %s (%s) started in container %s (image %s), create %lld ms, start %lld ms",
           qPrintable(run.runId), qPrintable(run.jobName), qPrintable(id.left(12)), qPrintable(image),
           createMs, startMs);
    return storage::WorkerInfo { 0, docker->endpoint(), id };
}

Result<bool> DockerRunLauncher::terminate(const storage::RunRecord &run)
{
    const auto docker = client();
    if (!docker)
        return docker.error();
    const int grace = std::max(0, m_context.terminateGraceSeconds);
    const auto reply = docker->request(
        "POST", QStringLiteral("/containers/%1/stop?t=%2").arg(containerName(run.runId)).arg(grace), {}, {},
        std::chrono::seconds(grace + 30));
    if (!reply)
        return reply.error();
    if (reply->status == 204)
        return true;
    if (reply->status == 304 || reply->status == 404)
        return false;
    return Error { QStringLiteral("launcher.docker_stop"),
                   QStringLiteral("stopping container %1 on the Docker Engine at %2 failed: %3")
                       .arg(containerName(run.runId), docker->endpoint(),
                            DockerClient::engineMessage(*reply)) };
}

WorkerState DockerRunLauncher::checkWorker(const storage::RunRecord &run)
{
    const auto docker = client();
    if (!docker)
        return WorkerState::unknown(docker.error().message);
    const QString name = containerName(run.runId);
    const auto reply = docker->get(QStringLiteral("/containers/%1/json").arg(name));
    if (!reply)
        return WorkerState::unknown(reply.error().message);
    if (reply->status == 404)
        return WorkerState::notFound(QStringLiteral("container %1 does not exist on the Docker Engine at %2")
                                         .arg(name, docker->endpoint()));
    if (reply->status != 200)
        return WorkerState::unknown(QStringLiteral("inspecting container %1 failed: %2")
                                        .arg(name, DockerClient::engineMessage(*reply)));
    const QJsonObject state = reply->json().object().value(QLatin1StringView("State")).toObject();
    const QString status = state.value(QLatin1StringView("Status")).toString();
    if (status == QLatin1StringView("running") || status == QLatin1StringView("paused")
        || status == QLatin1StringView("restarting"))
        return WorkerState::running();
    if (status == QLatin1StringView("created"))
        return WorkerState::notFound(QStringLiteral("container %1 was created but never started").arg(name));
    const int code = state.value(QLatin1StringView("ExitCode")).toInt();
    QStringList details;
    if (state.value(QLatin1StringView("OOMKilled")).toBool())
        details << QStringLiteral("out of memory (OOMKilled)");
    if (const QString e = state.value(QLatin1StringView("Error")).toString(); !e.isEmpty())
        details << e;
    // Exit statuses above 128 are the engine's way of saying "killed by signal N".
    const int signal = code > 128 && code <= 128 + 64 ? code - 128 : 0;
    if (signal)
        details.prepend(QStringLiteral("exit code %1").arg(code));
    return WorkerState::exited(code, signal, details.join(QStringLiteral("; ")));
}

Result<int> DockerRunLauncher::removeFinishedWorkers()
{
    if (keepsFinishedContainers(m_config))
        return 0;
    const auto docker = client();
    if (!docker)
        return docker.error();
    // Filtered by label only: engines differ in the states they filter on (podman has no "dead").
    const QJsonObject filters { { QLatin1StringView("label"), QJsonArray { kRunIdLabel } } };
    const auto reply =
        docker->get(QStringLiteral("/containers/json?all=true&filters=")
                    + QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return Error { QStringLiteral("launcher.docker_list"),
                       QStringLiteral("listing run containers on the Docker Engine at %1 failed: %2")
                           .arg(docker->endpoint(), DockerClient::engineMessage(*reply)) };
    int removed = 0;
    for (const QJsonValue &c : reply->json().array()) {
        const QJsonObject container = c.toObject();
        const QString state = container.value(QLatin1StringView("State")).toString();
        if (state != QLatin1StringView("exited") && state != QLatin1StringView("dead"))
            continue;
        const QString runId =
            container.value(QLatin1StringView("Labels")).toObject().value(kRunIdLabel).toString();
        const auto run = m_instance.storage().runs().run(runId);
        if (!run)
            return run.error();
        // Runs of other instances on the same engine, and runs the monitor has not ended yet (it
        // still reads their exit code), keep their containers.
        if (!run->has_value() || !isTerminal((*run)->status))
            continue;
        const QString id = container.value(QLatin1StringView("Id")).toString();
        const auto deleted = docker->request("DELETE", QStringLiteral("/containers/%1?v=true").arg(id));
        if (!deleted)
            return deleted.error();
        if (deleted->status == 204 || deleted->status == 404) {
            ++removed;
            qCDebug(lcLauncher, "removed container %s of run %s (%s)", qPrintable(id.left(12)),
                    qPrintable(runId), qPrintable(runStatusName((*run)->status)));
        } else {
            qCWarning(lcLauncher, "removing container %s of run %s: %s", qPrintable(id.left(12)),
                      qPrintable(runId), qPrintable(DockerClient::engineMessage(*deleted)));
        }
    }
    return removed;
}

} // namespace lifdag::launcher
