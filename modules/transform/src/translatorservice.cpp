#include "transform_log_p.h"

#include <lifdag/transform/translatorservice.h>

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

namespace {
QHttpServerResponse jsonError(QHttpServerResponse::StatusCode status, const QString &code, const QString &message)
{
    const QJsonObject body { { u"detail"_s, message }, { u"code"_s, code } };
    return QHttpServerResponse(body, status);
}

QHttpServerResponse::StatusCode statusFor(const QString &code)
{
    using S = QHttpServerResponse::StatusCode;
    if (code == u"transform.invalid_source"_s)
        return S::UnprocessableEntity;
    if (code == u"transform.not_found"_s)
        return S::NotFound;
    if (code == u"transform.unavailable"_s)
        return S::BadGateway;
    return S::InternalServerError;
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Qt 6.4's QHttpServer buffers any body before routing. This server refuses a request whose
// Content-Length exceeds the limit as soon as its header arrives, before the body is read.
class GuardedTcpServer : public QTcpServer
{
public:
    explicit GuardedTcpServer(qint64 limit)
        : m_limit(limit)
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        // Connected before QHttpServer's own handler, so this sees the data first.
        connect(socket, &QTcpSocket::readyRead, socket, [socket, limit = m_limit] {
            const QByteArray head = socket->peek(16 * 1024);
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            for (const QByteArray &line : head.left(end).split('\n')) {
                const QByteArray trimmed = line.trimmed();
                if (!trimmed.toLower().startsWith("content-length:"))
                    continue;
                bool ok = false;
                const qint64 length = trimmed.mid(15).trimmed().toLongLong(&ok);
                if (ok && length > limit) {
                    const QByteArray body = R"({"detail":"request body exceeds )" + QByteArray::number(limit)
                        + R"( bytes","code":"transform.too_large"})";
                    socket->disconnect();
                    socket->write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
                                  "Connection: close\r\nContent-Length: "
                                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                }
                return;
            }
        });
        addPendingConnection(socket);
    }

private:
    qint64 m_limit;
};
} // namespace

TranslatorService::TranslatorService(std::shared_ptr<Transformer> transformer, TranslatorServiceOptions options,
                                     QObject *parent)
    : QObject(parent)
    , m_transformer(std::move(transformer))
    , m_options(std::move(options))
    , m_pool(std::make_unique<QThreadPool>())
    , m_server(std::make_unique<QHttpServer>())
{
    m_pool->setMaxThreadCount(qMax(1, m_options.workerThreads));
    m_server->route(
        u"/translate/source/<arg>/target/<arg>"_s, QHttpServerRequest::Method::Post,
        [this](const QString &sourceId, const QString &targetId, const QHttpServerRequest &request) {
            if (!m_options.bearerToken.isEmpty()) {
                const QByteArray expected = "Bearer " + m_options.bearerToken.toUtf8();
                if (!constantTimeEquals(request.value("Authorization"), expected))
                    return QtFuture::makeReadyFuture(
                        jsonError(QHttpServerResponse::StatusCode::Unauthorized, u"transform.unauthorized"_s,
                                  u"missing or wrong bearer token"_s));
            }
            const QByteArray body = request.body();
            if (body.size() > m_options.maxBodyBytes)
                return QtFuture::makeReadyFuture(jsonError(
                    QHttpServerResponse::StatusCode::PayloadTooLarge, u"transform.too_large"_s,
                    u"request body exceeds %1 bytes"_s.arg(m_options.maxBodyBytes)));
            QJsonParseError parseError;
            const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
            if (parseError.error != QJsonParseError::NoError)
                return QtFuture::makeReadyFuture(jsonError(
                    QHttpServerResponse::StatusCode::BadRequest, u"transform.bad_request"_s,
                    u"the body is not JSON: %1 at byte %2"_s.arg(parseError.errorString(),
                                                                QString::number(parseError.offset))));
            if (!doc.isObject())
                return QtFuture::makeReadyFuture(jsonError(QHttpServerResponse::StatusCode::BadRequest,
                                                           u"transform.bad_request"_s,
                                                           u"the body must be a JSON object (the record)"_s));
            auto transformer = m_transformer;
            return QtConcurrent::run(m_pool.get(), [transformer, sourceId, targetId, record = doc.object()] {
                auto result = transformer->translate(sourceId, targetId, record);
                if (!result) {
                    qCWarning(lcTransform).noquote() << "translate" << sourceId << "->" << targetId
                                                     << "failed:" << result.error().message;
                    return jsonError(statusFor(result.error().code), result.error().code, result.error().message);
                }
                return QHttpServerResponse(result.value());
            });
        });
}

TranslatorService::~TranslatorService()
{
    m_pool->waitForDone();
}

quint16 TranslatorService::listen(const QHostAddress &address, quint16 port, QString *error)
{
    auto tcp = std::make_unique<GuardedTcpServer>(m_options.maxBodyBytes);
    if (!tcp->listen(address, port)) {
        if (error)
            *error = u"cannot listen on %1:%2: %3"_s.arg(address.toString(), QString::number(port), tcp->errorString());
        return 0;
    }
    const quint16 bound = tcp->serverPort();
    tcp->setParent(m_server.get());
    m_server->bind(tcp.release());
    return bound;
}

} // namespace lifdag::transform
