// workspace.yaml: where the code locations (gRPC servers) are.
#pragma once

#include <lifdag/core/result.h>

#include <QList>
#include <QString>

namespace lifdag::config {

struct CodeLocationConfig
{
    QString locationName;
    QString host = QStringLiteral("localhost");
    int port = 4000;
    QString socket; // unix socket instead of host:port
    bool ssl = false;

    QString address() const; // "host:port" or "unix:socket"
};

struct WorkspaceConfig
{
    QString path;
    QList<CodeLocationConfig> locations;

    const CodeLocationConfig *location(const QString &name) const;
};

Result<WorkspaceConfig> parseWorkspace(const QByteArray &yaml, const QString &fileName);
Result<WorkspaceConfig> loadWorkspace(const QString &path);

} // namespace lifdag::config
