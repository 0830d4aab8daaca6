#include "connectionguard_p.h"
#include "demodata_p.h"
#include "examplesource_log_p.h"
#include "http_p.h"
#include "personsource_p.h"
#include "service_p.h"

#include <lifdag/core/redaction.h>
#include <lifdag/examplesource/examplesourceserver.h>

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

namespace {
QByteArray methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get:
        return "GET";
    case M::Put:
        return "PUT";
    case M::Delete:
        return "DELETE";
    case M::Post:
        return "POST";
    case M::Head:
        return "HEAD";
    case M::Options:
        return "OPTIONS";
    case M::Patch:
        return "PATCH";
    case M::Connect:
        return "CONNECT";
    case M::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

// Carries requests from Qt's HTTP parser to the Service and its answers back; every request is
// answered here (missingHandler is never reached).
class HttpFrontend : public QAbstractHttpServer
{
public:
    explicit HttpFrontend(std::unique_ptr<Service> service)
        : m_service(std::move(service))
    { }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        QElapsedTimer timer;
        timer.start();
        HttpRequest http;
        http.method = methodName(request.method());
        const QUrl url = request.url();
        http.path = url.path(QUrl::FullyDecoded);
        if (http.path.isEmpty())
            http.path = u"/"_s;
        http.query = url.query(QUrl::FullyEncoded).toLatin1();
        for (const auto &[name, value] : request.headers())
            http.headers.append({ name.toLower(), value });
        http.body = request.body();
        const QByteArray host = request.value("host");
        http.origin = "http://"
            + (host.isEmpty() ? socket->localAddress().toString().toLatin1() + ':'
                       + QByteArray::number(socket->localPort())
                              : host);

        // HEAD is routed like any method (LIF's routes answer GET only), and never gets a body.
        const HttpResponse response = m_service->handle(http);
        ConnectionGuard *guard = ConnectionGuard::of(socket);
        const bool close = guard && guard->closeAfterResponse();
        QHttpServerResponder responder = makeResponder(request, socket);
        responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
        for (const auto &[name, value] : response.headers)
            responder.writeHeader(name, value);
        responder.writeHeader("content-length", QByteArray::number(response.body.size()));
        if (close)
            responder.writeHeader("connection", "close");
        responder.writeBody(http.method == "HEAD" ? QByteArray() : response.body);
        qCDebug(lcExampleSource).noquote()
            << http.method << http.path << response.status << timer.nsecsElapsed() / 1000 << "us";
        if (guard)
            guard->requestDone();
        if (close)
            socket->disconnectFromHost();
        return true;
    }

    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override { }

private:
    std::unique_ptr<Service> m_service;
};
} // namespace

struct ExampleSourceServer::Private
{
    Options options;
    std::unique_ptr<HttpFrontend> frontend;
    quint16 port = 0;
};

ExampleSourceServer::ExampleSourceServer(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->options = std::move(options);
    // Belt and braces: the key never appears in anything this process logs.
    redaction::addSecret(d->options.key);
}

ExampleSourceServer::~ExampleSourceServer() = default;

Status ExampleSourceServer::listen()
{
    if (d->frontend)
        return Error { u"examplesource.listen"_s, u"the example source is already listening"_s };
    if (d->options.key.isEmpty())
        return Error { u"examplesource.key"_s, u"the example source needs a non-empty key"_s };
    QHostAddress address;
    if (d->options.host == u"localhost"_s)
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(d->options.host))
        return Error { u"examplesource.listen"_s,
                       u"cannot listen on \"%1\": expected an IP address or localhost"_s.arg(
                           d->options.host) };
    auto data = DemoData::instance();
    if (!data)
        return data.error();

    const QByteArray key = d->options.key.toUtf8();
    auto graphql = makePersonSource(*data, key);
    if (!graphql)
        return graphql.error();
    auto service = std::make_unique<Service>(*data, key, *graphql);
    auto frontend = std::make_unique<HttpFrontend>(std::move(service));
    ConnectionLimits limits;
    limits.maxBodyBytes = d->options.maxBodyBytes;
    limits.maxHeaderBytes = d->options.maxHeaderBytes;
    limits.idleTimeoutMs = d->options.idleTimeoutMs;
    auto *tcp = new GuardedTcpServer(limits, frontend.get());
    if (!tcp->listen(address, d->options.port)) {
        return Error {
            u"examplesource.listen"_s,
            u"cannot listen on %1:%2: %3"_s.arg(d->options.host).arg(d->options.port).arg(tcp->errorString())
        };
    }
    d->port = tcp->serverPort();
    frontend->bind(tcp);
    d->frontend = std::move(frontend);
    qCInfo(lcExampleSource).noquote() << "serving" << (*data)->r1UserIds.size() << "r1-demo users and"
                                      << (*data)->persons.size() << "LIF persons on" << url();
    return Status::success();
}

quint16 ExampleSourceServer::serverPort() const
{
    return d->port;
}

QString ExampleSourceServer::url() const
{
    const QString host = d->options.host.contains(u':') ? u"[%1]"_s.arg(d->options.host) : d->options.host;
    return u"http://%1:%2"_s.arg(host).arg(d->port);
}

QString ExampleSourceServer::defaultKey()
{
    const QString fromEnv = qEnvironmentVariable("LIF_EXAMPLE_SOURCE_KEY");
    return fromEnv.isEmpty() ? u"changeme"_s : fromEnv;
}

} // namespace lifdag::examplesource
