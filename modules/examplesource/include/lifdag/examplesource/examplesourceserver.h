// lifdag's Example Data Source: LIF's reference non-LIF REST API (x-key auth) and a LIF GraphQL
// person source (Bearer auth) over lifdag's own demo data, on one HTTP port.
#pragma once

#include <lifdag/core/result.h>

#include <QObject>
#include <QString>

#include <memory>

namespace lifdag::examplesource {

struct ExampleSourceOptions
{
    QString host = QStringLiteral("0.0.0.0"); // an IP address or "localhost"
    quint16 port = 8011; // 0: any free port (see serverPort())
    // Guards the REST API (header `x-key: KEY`) and the GraphQL source
    // (`Authorization: Bearer KEY`). Never logged.
    QString key = QStringLiteral("changeme");
    qint64 maxBodyBytes = 1024 * 1024; // larger request bodies are refused with 413
    qint64 maxHeaderBytes = 32 * 1024; // larger request heads are refused with 431
    int idleTimeoutMs = 60000; // a keep-alive connection idle this long is closed
};

class ExampleSourceServer : public QObject
{
public:
    using Options = ExampleSourceOptions;

    explicit ExampleSourceServer(Options options, QObject *parent = nullptr);
    ~ExampleSourceServer() override;

    // Starts listening; an error says which address could not be bound or which demo data
    // resource is broken.
    Status listen();
    // The bound port (the real one when Options::port is 0); 0 before listen() succeeded.
    quint16 serverPort() const;
    // "http://HOST:PORT" with the configured host and the bound port.
    QString url() const;

    // The key to use when none is given on the command line: $LIF_EXAMPLE_SOURCE_KEY when set
    // and not empty, else "changeme" (LIF's compose file).
    static QString defaultKey();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::examplesource
