#include "lifdag/config/workspace.h"

#include "yamlreader_p.h"

#include <QFile>
#include <QSet>

namespace lifdag::config {

using detail::ConfigError;
using detail::YamlNode;

QString CodeLocationConfig::address() const
{
    if (!socket.isEmpty())
        return QStringLiteral("unix:") + socket;
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

const CodeLocationConfig *WorkspaceConfig::location(const QString &name) const
{
    for (const CodeLocationConfig &l : locations) {
        if (l.locationName == name)
            return &l;
    }
    return nullptr;
}

Result<WorkspaceConfig> parseWorkspace(const QByteArray &yaml, const QString &fileName)
{
    WorkspaceConfig ws;
    ws.path = fileName;
    try {
        const YamlNode root(detail::loadDocument(yaml, fileName), fileName, QString());
        if (root.isNull())
            root.fail(QStringLiteral("empty workspace: expected a \"load_from\" list"),
                      QStringLiteral("config.missing_key"));
        root.checkKeys({ QStringLiteral("load_from") });
        QSet<QString> names;
        for (const YamlNode &entry : root.required(QStringLiteral("load_from")).items()) {
            entry.checkKeys({ QStringLiteral("grpc_server"), QStringLiteral("python_file"),
                              QStringLiteral("python_module"), QStringLiteral("python_package"),
                              QStringLiteral("autoload_defs_module") });
            for (const auto &[kind, value] : entry.entries()) {
                if (kind != QLatin1StringView("grpc_server")) {
                    value.fail(QStringLiteral(
                                   "%1 loads Python code, which lifdag does not run; point load_from at the "
                                   "code location with grpc_server: {host, port, location_name}")
                                   .arg(kind),
                               QStringLiteral("config.unsupported"));
                }
                value.checkKeys({ QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("socket"),
                                  QStringLiteral("location_name"), QStringLiteral("ssl"),
                                  QStringLiteral("additional_metadata") });
                CodeLocationConfig loc;
                if (auto v = value.child(QStringLiteral("host")))
                    loc.host = v->toString();
                if (auto v = value.child(QStringLiteral("socket")))
                    loc.socket = v->toString();
                if (auto v = value.child(QStringLiteral("port"))) {
                    loc.port = v->toInt();
                    if (loc.port <= 0 || loc.port > 65535)
                        v->fail(QStringLiteral("expected a port between 1 and 65535, got %1").arg(loc.port),
                                QStringLiteral("config.range"));
                } else if (loc.socket.isEmpty()) {
                    value.fail(QStringLiteral("missing required key \"port\" (or \"socket\")"),
                               QStringLiteral("config.missing_key"));
                }
                if (auto v = value.child(QStringLiteral("ssl")))
                    loc.ssl = v->toBool();
                if (auto v = value.child(QStringLiteral("additional_metadata")))
                    (void)v->toJson();
                if (auto v = value.child(QStringLiteral("location_name"))) {
                    loc.locationName = v->toString();
                    if (names.contains(loc.locationName))
                        v->fail(QStringLiteral("duplicate location name \"%1\"").arg(loc.locationName),
                                QStringLiteral("config.conflict"));
                } else {
                    loc.locationName = loc.address(); // Dagster names an unnamed gRPC location by its address
                }
                names.insert(loc.locationName);
                ws.locations.append(loc);
            }
        }
    } catch (const ConfigError &e) {
        return e.error;
    } catch (const YAML::Exception &e) {
        return Error { QStringLiteral("config.syntax"),
                       QStringLiteral("%1: %2").arg(fileName, QString::fromStdString(e.what())) };
    }
    return ws;
}

Result<WorkspaceConfig> loadWorkspace(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error { QStringLiteral("config.io"),
                       QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()) };
    return parseWorkspace(f.readAll(), path);
}

} // namespace lifdag::config
