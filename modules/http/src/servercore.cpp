#include "servercore_p.h"

#include <QRandomGenerator>
#include <QUrl>
#include <exception>
#ifdef __GLIBC__
#include <malloc.h>
#endif

Q_LOGGING_CATEGORY(lcHttp, "lifdag.http")
Q_LOGGING_CATEGORY(lcHttpAccess, "lifdag.http.access")

namespace lifdag::http::detail {

namespace {

constexpr qsizetype kSocketReadBuffer = 64 * 1024;
constexpr qint64 kClosingGraceMs = 3000;

// Query parameters whose values never reach the access log.
bool isSensitiveKey(QByteArrayView key)
{
    const QByteArray k = key.toByteArray().toLower();
    return k.contains("token") || k.contains("key") || k.contains("secret") || k.contains("password")
        || k.contains("auth") || k.contains("credential");
}

QByteArray maskedTarget(const QByteArray &target)
{
    const qsizetype q = target.indexOf('?');
    if (q < 0)
        return target;
    QByteArray out = target.left(q + 1);
    const QList<QByteArray> parts = target.mid(q + 1).split('&');
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i)
            out += '&';
        const qsizetype eq = parts[i].indexOf('=');
        const QByteArray key = eq < 0 ? parts[i] : parts[i].left(eq);
        if (eq >= 0 && isSensitiveKey(QByteArray::fromPercentEncoding(key)))
            out += key + "=***";
        else
            out += parts[i];
    }
    return out;
}

// Splits an origin-form or absolute-form target into raw path and raw query.
bool splitTarget(const QByteArray &target, QByteArray *path, QByteArray *query)
{
    QByteArray t = target;
    if (t.startsWith("http://") || t.startsWith("https://")) {
        const qsizetype authority = t.indexOf("//") + 2;
        const qsizetype slash = t.indexOf('/', authority);
        const qsizetype qmark = t.indexOf('?', authority);
        if (slash < 0 || (qmark >= 0 && qmark < slash))
            t = '/' + (qmark >= 0 ? t.mid(qmark) : QByteArray());
        else
            t = t.mid(slash);
    }
    if (!t.startsWith('/'))
        return false;
    const qsizetype q = t.indexOf('?');
    *path = q < 0 ? t : t.left(q);
    *query = q < 0 ? QByteArray() : t.mid(q + 1);
    const qsizetype hash = query->indexOf('#');
    if (hash >= 0)
        query->truncate(hash);
    return true;
}

bool validPercentEncoding(const QByteArray &s)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= s.size() || !isxdigit(uchar(s[i + 1])) || !isxdigit(uchar(s[i + 2])))
            return false;
        i += 2;
    }
    return true;
}

} // namespace

// ---- Connection ---------------------------------------------------------------------------------

Connection::Connection(ServerCore *core, QTcpSocket *socket, quint64 id)
    : m_core(core)
    , m_socket(socket)
    , m_id(id)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kSocketReadBuffer);
    m_stateSinceMs = m_lastActivityMs = m_lastWriteProgressMs = core->nowMs();
    QObject::connect(m_socket, &QTcpSocket::readyRead, this, [this] { readAndProcess(); });
    QObject::connect(m_socket, &QTcpSocket::bytesWritten, this, [this](qint64) {
        m_lastWriteProgressMs = m_core->nowMs();
        if (m_state == State::Closing && m_socket->bytesToWrite() == 0)
            m_socket->disconnectFromHost();
    });
    QObject::connect(m_socket, &QTcpSocket::disconnected, this, [this] { dropConnection(); });
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp, "connection %llu: %s", m_id, qPrintable(m_socket->errorString()));
        dropConnection();
    });
}

Connection::~Connection()
{
    if (m_ws) {
        m_ws->markClosed();
        if (!m_wsClosedNotified && m_wsCallbacks.onClosed) {
            m_wsClosedNotified = true;
            m_wsCallbacks.onClosed(m_wsCloseCode);
        }
    }
}

void Connection::startUnroutedRequest(const QByteArray &method, const QByteArray &logTarget)
{
    m_method = method;
    m_logTarget = logTarget;
    m_routeIndex = -1;
    m_headRequest = false;
    m_requestStartNs = m_core->nowNs();
    m_requestId = m_core->nextRequestId();
}

void Connection::setState(State s)
{
    m_state = s;
    m_stateSinceMs = m_core->nowMs();
}

void Connection::dropConnection()
{
    if (m_state == State::WebSocket || m_state == State::UpgradePending) {
        if (m_ws)
            m_ws->markClosed();
        if (!m_wsClosedNotified && m_wsCallbacks.onClosed) {
            m_wsClosedNotified = true;
            m_wsCallbacks.onClosed(m_wsCloseCode);
        }
    }
    m_core->removeConnection(m_id);
}

void Connection::readAndProcess()
{
    if (m_state == State::Processing || m_state == State::UpgradePending || m_state == State::Closing)
        return; // one request at a time; the socket's bounded buffer pushes back on the client
    if (m_state == State::WebSocket) {
        processWebSocket();
        return;
    }
    processHttp();
}

void Connection::processHttp()
{
    const ServerOptions &o = m_core->options();
    const HeadLimits limits { o.maxRequestLineBytes, o.maxHeaderBytes, o.maxHeaderCount, o.maxBodyBytes };
    while (m_state == State::ReadingHead || m_state == State::ReadingBody) {
        // Read only what the current phase may hold, so a client can never make the buffer grow
        // beyond the limits.
        qsizetype want = 0;
        if (m_state == State::ReadingHead)
            want = o.maxHeaderBytes + 1 - m_buffer.size();
        else
            want = m_head.headBytes + m_head.contentLength - m_buffer.size();
        if (want > 0 && m_socket->bytesAvailable() > 0) {
            const QByteArray chunk = m_socket->read(qMin<qint64>(want, kSocketReadBuffer));
            if (!chunk.isEmpty()) {
                m_buffer += chunk;
                m_lastActivityMs = m_core->nowMs();
            }
        }
        if (m_state == State::ReadingHead) {
            // Empty lines before a request are ignored (RFC 9112 §2.2).
            qsizetype skip = 0;
            while (skip < m_buffer.size() && (m_buffer[skip] == '\r' || m_buffer[skip] == '\n'))
                ++skip;
            if (skip) {
                m_buffer.remove(0, skip);
                m_scanFrom = 0;
            }
            if (m_buffer.isEmpty())
                return;
            if (m_scanFrom == 0 && m_stateSinceMs < m_lastActivityMs && m_requestsServed > 0)
                m_stateSinceMs = m_lastActivityMs; // the header timeout starts with the first byte
            ParseFailure failure;
            const HeadState st = parseHead(m_buffer, &m_scanFrom, limits, &m_head, &failure);
            if (st == HeadState::Failed) {
                startUnroutedRequest(QByteArrayLiteral("-"), QByteArrayLiteral("-"));
                failRequest(failure.status, failure.code, failure.message);
                return;
            }
            if (st == HeadState::Incomplete) {
                if (m_socket->bytesAvailable() > 0)
                    continue;
                return;
            }
            m_scanFrom = 0;
            m_sentContinue = false;
            setState(State::ReadingBody);
        }
        if (m_state == State::ReadingBody) {
            const qint64 needed = m_head.headBytes + m_head.contentLength;
            if (m_buffer.size() < needed) {
                if (m_head.expectContinue && !m_sentContinue) {
                    m_sentContinue = true;
                    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                }
                if (m_socket->bytesAvailable() > 0)
                    continue;
                return;
            }
            QByteArray body = m_buffer.mid(m_head.headBytes, m_head.contentLength);
            m_buffer.remove(0, needed);
            setState(State::Processing);
            dispatch(std::move(m_head), std::move(body));
        }
    }
}

void Connection::dispatch(ParsedHead head, QByteArray body)
{
    m_requestStartNs = m_core->nowNs();
    m_requestId = m_core->nextRequestId();
    m_method = head.method;
    m_logTarget = maskedTarget(head.target);
    m_routeIndex = -1;
    m_headRequest = head.method == "HEAD";
    m_closeAfterResponse = !head.keepAlive;
    const ServerOptions &o = m_core->options();

    if (head.target == "*") {
        if (head.method != "OPTIONS") {
            failRequest(400, QStringLiteral("bad_request_target"),
                        QStringLiteral("\"*\" is only a target for OPTIONS"), false);
            return;
        }
        Response r = Response::noContent();
        r.setHeader("allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
        writeResponse(std::move(r), m_closeAfterResponse);
        return;
    }
    QByteArray rawPath, rawQuery;
    if (!splitTarget(head.target, &rawPath, &rawQuery) || !validPercentEncoding(rawPath)
        || !validPercentEncoding(rawQuery)) {
        failRequest(400, QStringLiteral("bad_request_target"),
                    QStringLiteral("the request target is not a valid origin-form path"), false);
        return;
    }
    const QByteArray decodedPath = QByteArray::fromPercentEncoding(rawPath);
    QByteArray decodedQuery = rawQuery;
    decodedQuery.replace('+', ' ');
    if (!isValidUtf8(decodedPath) || !isValidUtf8(QByteArray::fromPercentEncoding(decodedQuery))) {
        failRequest(400, QStringLiteral("bad_request_target"),
                    QStringLiteral("the path or query is not valid UTF-8 once percent-decoded"), false);
        return;
    }

    Request req;
    req.method = head.method;
    req.target = head.target;
    req.path = QString::fromUtf8(decodedPath);
    // Form-style queries spell spaces as '+'; QUrlQuery would keep them literally.
    req.query = QUrlQuery(QString::fromLatin1(QByteArray(rawQuery).replace('+', "%20")));
    req.headers = std::move(head.headers);
    req.body = std::move(body);
    req.peerAddress = m_socket->peerAddress();
    req.peerPort = m_socket->peerPort();
    req.requestId = m_requestId;

    const Router::Match match = m_core->router().match(head.method, rawPath);
    m_routeIndex = match.index;
    auto allowHeader = [&match]() -> QByteArray {
        QByteArray allow;
        for (const QByteArray &m : match.allowed)
            allow += (allow.isEmpty() ? QByteArray() : QByteArrayLiteral(", ")) + m;
        return allow;
    };
    if (match.kind == Router::Match::Kind::NotFound && (head.method == "GET" || head.method == "HEAD")
        && m_core->router().fallback()) {
        respond(m_core->router().fallback()(req));
        return;
    }
    if (match.kind == Router::Match::Kind::NotFound) {
        failRequest(
            404, QStringLiteral("not_found"),
            QStringLiteral("no route for %1 %2").arg(QString::fromLatin1(head.method), req.path.left(200)),
            false);
        return;
    }
    if (head.method == "OPTIONS" && !(match.route && match.route->method == "OPTIONS")) {
        Response r = Response::noContent();
        r.setHeader("allow", allowHeader());
        if (!o.corsAllowOrigin.isEmpty()) {
            r.setHeader("access-control-allow-methods", allowHeader());
            r.setHeader("access-control-allow-headers", "Authorization, Content-Type");
            r.setHeader("access-control-max-age", "600");
        }
        writeResponse(std::move(r), m_closeAfterResponse);
        return;
    }
    if (match.kind == Router::Match::Kind::MethodNotAllowed) {
        failRequest(405, QStringLiteral("method_not_allowed"),
                    QStringLiteral("%1 is not allowed on %2 (allowed: %3)")
                        .arg(QString::fromLatin1(head.method), req.path.left(200),
                             QString::fromLatin1(allowHeader())),
                    false, { Header { QByteArrayLiteral("allow"), allowHeader() } });
        return;
    }
    req.pathParams = match.params;
    const Route *route = match.route;

    if (route->webSocket) {
        if (!head.upgradeWebSocket || head.method != "GET") {
            failRequest(
                426, QStringLiteral("upgrade_required"),
                QStringLiteral("%1 is a WebSocket endpoint: connect with a WebSocket client").arg(req.path),
                false, { Header { QByteArrayLiteral("upgrade"), QByteArrayLiteral("websocket") } });
            return;
        }
        if (req.header("sec-websocket-version") != "13") {
            failRequest(426, QStringLiteral("unsupported_websocket_version"),
                        QStringLiteral("only WebSocket version 13 is supported"), false,
                        { Header { QByteArrayLiteral("sec-websocket-version"), QByteArrayLiteral("13") } });
            return;
        }
        const QByteArray key = req.header("sec-websocket-key");
        if (QByteArray::fromBase64(key).size() != 16) {
            failRequest(400, QStringLiteral("bad_websocket_key"),
                        QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"), true);
            return;
        }
        m_head.headers = { Header { QByteArrayLiteral("sec-websocket-key"), key } };
        m_ws = std::make_shared<WebSocket>(m_id, m_core->link(), o.maxWebSocketBufferedBytes);
        setState(State::UpgradePending);
        const quint64 id = m_id;
        ServerCore *core = m_core;
        auto ws = m_ws;
        const bool queued = m_core->enqueue([core, id, route, ws, req = std::move(req)]() {
            WebSocketAcceptance acceptance;
            try {
                acceptance = route->webSocket(req, ws);
            } catch (const std::exception &e) {
                qCWarning(lcHttp, "WebSocket handler for %s threw: %s", qPrintable(req.path), e.what());
                acceptance = WebSocketAcceptance::rejected(
                    Response::error(500, QStringLiteral("internal"), QStringLiteral("internal error")));
            }
            QMetaObject::invokeMethod(
                core,
                [core, id, acceptance = std::move(acceptance)]() mutable {
                    if (Connection *c = core->connection(id))
                        c->completeUpgrade(std::move(acceptance));
                },
                Qt::QueuedConnection);
        });
        if (!queued) {
            m_ws.reset();
            failRequest(503, QStringLiteral("overloaded"),
                        QStringLiteral("the server is busy; retry shortly"), true,
                        { Header { QByteArrayLiteral("retry-after"), QByteArrayLiteral("1") } });
        }
        return;
    }

    auto run = [route](const Request &r) -> Response {
        try {
            return route->handler(r);
        } catch (const std::exception &e) {
            qCWarning(lcHttp, "handler for %s %s threw: %s", r.method.constData(), qPrintable(r.path),
                      e.what());
        } catch (...) {
            qCWarning(lcHttp, "handler for %s %s threw", r.method.constData(), qPrintable(r.path));
        }
        return Response::error(500, QStringLiteral("internal"),
                               QStringLiteral("internal error (request %1)").arg(r.requestId));
    };
    if (route->inlineHandler) {
        respond(run(req));
        return;
    }
    const quint64 id = m_id;
    ServerCore *core = m_core;
    const bool queued = m_core->enqueue([core, id, run, req = std::move(req)]() {
        Response response = run(req);
        QMetaObject::invokeMethod(
            core,
            [core, id, response = std::move(response)]() mutable {
                if (Connection *c = core->connection(id))
                    c->respond(std::move(response));
            },
            Qt::QueuedConnection);
    });
    if (!queued)
        failRequest(503, QStringLiteral("overloaded"), QStringLiteral("the server is busy; retry shortly"),
                    false, { Header { QByteArrayLiteral("retry-after"), QByteArrayLiteral("1") } });
}

void Connection::respond(Response response)
{
    if (m_state != State::Processing)
        return;
    writeResponse(std::move(response), m_closeAfterResponse);
}

void Connection::failRequest(int status, const QString &code, const QString &message, bool close,
                             const QList<Header> &extraHeaders)
{
    Response r = Response::error(status, code, message);
    for (const Header &h : extraHeaders)
        r.setHeader(h.name, h.value);
    writeResponse(std::move(r), close || m_closeAfterResponse);
}

void Connection::writeResponse(Response response, bool close)
{
    if (m_core->shuttingDown.load())
        close = true;
    const int status = response.status;
    const bool bodyless = status == 204 || status == 304 || (status >= 100 && status < 200);
    QByteArray out;
    out.reserve(256 + (m_headRequest ? 0 : response.body.size()));
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const Header &h : std::as_const(response.headers)) {
        if (h.name == "content-length" || h.name == "connection" || h.name == "transfer-encoding")
            continue;
        out += h.name + ": " + h.value + "\r\n";
    }
    if (!bodyless)
        out += "content-length: " + QByteArray::number(response.body.size()) + "\r\n";
    out +=
        close ? QByteArrayLiteral("connection: close\r\n") : QByteArrayLiteral("connection: keep-alive\r\n");
    out += "x-request-id: " + m_requestId.toLatin1() + "\r\n";
    const QByteArray &cors = m_core->options().corsAllowOrigin;
    if (!cors.isEmpty())
        out += "access-control-allow-origin: " + cors + "\r\nvary: Origin\r\n";
    out += "\r\n";
    if (!bodyless && !m_headRequest)
        out += response.body;
    m_socket->write(out);
    m_lastWriteProgressMs = m_lastActivityMs = m_core->nowMs();
    ++m_requestsServed;

    if (m_core->options().accessLog) {
        qCInfo(lcHttpAccess,
               "method=%s target=\"%s\" status=%d bytes=%lld duration_ms=%.3f peer=%s id=%s user=%s",
               m_method.constData(), m_logTarget.left(1024).constData(), status,
               static_cast<long long>(response.body.size()), double(m_core->nowNs() - m_requestStartNs) / 1e6,
               qPrintable(m_socket->peerAddress().toString()), qPrintable(m_requestId),
               response.user.isEmpty() ? "-" : qPrintable(response.user));
    }
    m_core->recordRequest(m_routeIndex, m_method, status, double(m_core->nowNs() - m_requestStartNs) / 1e9);
    m_headRequest = false;

    if (close) {
        beginClosing();
        return;
    }
    setState(State::ReadingHead);
    m_scanFrom = 0;
    // Bytes of a pipelined request may already wait in the buffer or the socket.
    if (!m_buffer.isEmpty() || m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(
            this, [this] { readAndProcess(); }, Qt::QueuedConnection);
}

void Connection::beginClosing()
{
    setState(State::Closing);
    m_buffer.clear();
    if (m_socket->bytesToWrite() == 0)
        m_socket->disconnectFromHost();
    // else: bytesWritten finishes it; the sweep aborts a peer that never reads
}

void Connection::completeUpgrade(WebSocketAcceptance acceptance)
{
    if (m_state != State::UpgradePending)
        return;
    if (acceptance.reject) {
        m_ws->markClosed();
        m_ws.reset();
        m_wsPending.clear();
        setState(State::Processing);
        writeResponse(std::move(*acceptance.reject), true);
        return;
    }
    const QByteArray key = m_head.headers.isEmpty() ? QByteArray() : m_head.headers.first().value;
    QByteArray out = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
                     "sec-websocket-accept: "
        + webSocketAccept(key) + "\r\nx-request-id: " + m_requestId.toLatin1() + "\r\n\r\n";
    m_socket->write(out);
    m_wsCallbacks = std::move(acceptance.callbacks);
    m_core->openWebSockets.fetch_add(1);
    if (m_core->options().accessLog)
        qCInfo(lcHttpAccess, "method=GET target=\"%s\" status=101 bytes=0 duration_ms=%.3f peer=%s id=%s",
               m_logTarget.left(1024).constData(), double(m_core->nowNs() - m_requestStartNs) / 1e6,
               qPrintable(m_socket->peerAddress().toString()), qPrintable(m_requestId));
    m_core->recordRequest(m_routeIndex, m_method, 101, double(m_core->nowNs() - m_requestStartNs) / 1e9);
    setState(State::WebSocket);
    m_wsLastFrameMs = m_wsLastPingMs = m_core->nowMs();
    const QList<QByteArray> pending = std::exchange(m_wsPending, {});
    for (const QByteArray &p : pending)
        sendWebSocketText(p);
    if (!m_ws->isOpen()) { // closed by the application before the upgrade completed
        closeWebSocket(m_wsCloseCode == 1006 ? 1000 : m_wsCloseCode, {});
        return;
    }
    if (!m_buffer.isEmpty() || m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(
            this, [this] { readAndProcess(); }, Qt::QueuedConnection);
}

void Connection::sendFrame(int opcode, QByteArrayView payload)
{
    m_socket->write(encodeFrame(opcode, payload));
}

void Connection::sendWebSocketText(const QByteArray &payload)
{
    if (m_ws)
        m_ws->written(payload.size());
    if (m_state == State::UpgradePending) {
        m_wsPending.append(payload);
        return;
    }
    if (m_state != State::WebSocket || m_wsCloseSent)
        return;
    sendFrame(1, payload);
    if (m_socket->bytesToWrite() > m_core->options().maxWebSocketBufferedBytes) {
        qCWarning(lcHttp, "WebSocket %llu: the client reads too slowly (%lld bytes waiting); closing", m_id,
                  static_cast<long long>(m_socket->bytesToWrite()));
        closeWebSocket(1008, QStringLiteral("client too slow"));
    }
}

void Connection::closeWebSocket(quint16 code, const QString &reason)
{
    if (m_state == State::UpgradePending) {
        m_wsCloseCode = code;
        m_wsPending.clear();
        return; // completeUpgrade will still run; the handle is marked closed
    }
    if (m_state != State::WebSocket)
        return;
    if (!m_wsCloseSent) {
        m_wsCloseSent = true;
        QByteArray payload(2, '\0');
        payload[0] = char(code >> 8);
        payload[1] = char(code & 0xFF);
        payload += reason.toUtf8().left(120);
        sendFrame(8, payload);
    }
    m_wsCloseCode = code;
    if (m_ws)
        m_ws->markClosed();
    if (!m_wsClosedNotified && m_wsCallbacks.onClosed) {
        m_wsClosedNotified = true;
        m_wsCallbacks.onClosed(code);
    }
    m_core->openWebSockets.fetch_sub(1);
    beginClosing();
}

void Connection::processWebSocket()
{
    const ServerOptions &o = m_core->options();
    const qsizetype maxFrame = o.maxWebSocketMessageBytes + 14;
    while (m_state == State::WebSocket) {
        if (m_buffer.size() < maxFrame && m_socket->bytesAvailable() > 0) {
            m_buffer += m_socket->read(qMin<qint64>(maxFrame - m_buffer.size(), kSocketReadBuffer));
            m_lastActivityMs = m_core->nowMs();
        }
        WsFrame frame;
        qsizetype consumed = 0;
        quint16 closeCode = 0;
        const FrameState st =
            parseClientFrame(m_buffer, 0, o.maxWebSocketMessageBytes, &frame, &consumed, &closeCode);
        if (st == FrameState::Failed) {
            closeWebSocket(closeCode,
                           closeCode == 1009 ? QStringLiteral("message too big")
                                             : QStringLiteral("protocol error"));
            return;
        }
        if (st == FrameState::Incomplete) {
            if (m_socket->bytesAvailable() > 0 && m_buffer.size() < maxFrame)
                continue;
            return;
        }
        m_buffer.remove(0, consumed);
        m_wsLastFrameMs = m_core->nowMs();
        switch (frame.opcode) {
        case 8: { // close
            quint16 code = 1005;
            if (frame.payload.size() >= 2)
                code = quint16((uchar(frame.payload[0]) << 8) | uchar(frame.payload[1]));
            closeWebSocket(code == 1005 ? 1000 : code, {});
            return;
        }
        case 9:
            sendFrame(10, frame.payload);
            break;
        case 10:
            break;
        case 0:
            if (!m_wsFragmenting) {
                closeWebSocket(1002, QStringLiteral("continuation without a message"));
                return;
            }
            if (m_wsMessage.size() + frame.payload.size() > o.maxWebSocketMessageBytes) {
                closeWebSocket(1009, QStringLiteral("message too big"));
                return;
            }
            m_wsMessage += frame.payload;
            if (frame.fin) {
                m_wsFragmenting = false;
                webSocketMessage(m_wsMessageOpcode, std::exchange(m_wsMessage, {}));
            }
            break;
        default: // 1 text, 2 binary
            if (m_wsFragmenting) {
                closeWebSocket(1002, QStringLiteral("a new message inside a fragmented one"));
                return;
            }
            if (frame.fin) {
                webSocketMessage(frame.opcode, frame.payload);
            } else {
                m_wsFragmenting = true;
                m_wsMessageOpcode = frame.opcode;
                m_wsMessage = std::move(frame.payload);
            }
            break;
        }
    }
}

void Connection::webSocketMessage(int opcode, const QByteArray &payload)
{
    if (m_state != State::WebSocket)
        return;
    if (opcode == 2) {
        closeWebSocket(1003, QStringLiteral("only text messages are accepted"));
        return;
    }
    if (!isValidUtf8(payload)) {
        closeWebSocket(1007, QStringLiteral("invalid UTF-8"));
        return;
    }
    if (m_wsCallbacks.onText) {
        try {
            m_wsCallbacks.onText(payload);
        } catch (const std::exception &e) {
            qCWarning(lcHttp, "WebSocket %llu: message handler threw: %s", m_id, e.what());
            closeWebSocket(1011, QStringLiteral("internal error"));
        }
    }
}

void Connection::checkTimeouts(qint64 now)
{
    const ServerOptions &o = m_core->options();
    switch (m_state) {
    case State::ReadingHead:
        if (m_buffer.isEmpty()) {
            // A fresh connection must start a request within the header timeout; a kept-alive one
            // may idle for the idle timeout.
            const qint64 limit = m_requestsServed == 0 ? o.headerTimeout.count() : o.idleTimeout.count();
            if (now - m_lastActivityMs > limit) {
                m_core->timeouts.fetch_add(1);
                if (m_requestsServed == 0) {
                    startUnroutedRequest(QByteArrayLiteral("-"), QByteArrayLiteral("-"));
                    failRequest(408, QStringLiteral("request_timeout"),
                                QStringLiteral("no request within %1 ms").arg(o.headerTimeout.count()));
                } else {
                    beginClosing();
                }
            }
        } else if (now - m_stateSinceMs > o.headerTimeout.count()) {
            m_core->timeouts.fetch_add(1);
            startUnroutedRequest(QByteArrayLiteral("-"), QByteArrayLiteral("-"));
            failRequest(
                408, QStringLiteral("request_timeout"),
                QStringLiteral("the request head did not arrive within %1 ms").arg(o.headerTimeout.count()));
        }
        break;
    case State::ReadingBody:
        if (now - m_stateSinceMs > o.bodyTimeout.count()) {
            m_core->timeouts.fetch_add(1);
            startUnroutedRequest(m_head.method, maskedTarget(m_head.target));
            failRequest(
                408, QStringLiteral("request_timeout"),
                QStringLiteral("the request body did not arrive within %1 ms").arg(o.bodyTimeout.count()));
        }
        break;
    case State::Processing:
    case State::UpgradePending:
        break;
    case State::WebSocket: {
        const qint64 ping = o.webSocketPingInterval.count();
        if (now - m_wsLastFrameMs > 2 * ping) {
            m_core->timeouts.fetch_add(1);
            closeWebSocket(1001, QStringLiteral("no response to ping"));
        } else if (now - m_wsLastFrameMs > ping && now - m_wsLastPingMs > ping) {
            m_wsLastPingMs = now;
            sendFrame(9, "lifdag");
        }
        break;
    }
    case State::Closing:
        if (now - m_stateSinceMs > kClosingGraceMs) {
            m_socket->abort();
            return;
        }
        break;
    }
    if (m_state != State::Closing && m_socket->bytesToWrite() > 0
        && now - m_lastWriteProgressMs > o.writeTimeout.count()) {
        m_core->timeouts.fetch_add(1);
        qCDebug(lcHttp, "connection %llu: the client stopped reading; dropping it", m_id);
        m_socket->abort();
    }
}

void Connection::shutdown()
{
    if (m_state == State::WebSocket) {
        closeWebSocket(1001, QStringLiteral("server shutting down"));
        m_socket->flush();
    }
    m_socket->abort();
}

// ---- ServerCore ---------------------------------------------------------------------------------

ServerCore::ServerCore(Router router, ServerOptions options)
    : m_router(std::move(router))
    , m_options(std::move(options))
    , m_link(std::make_shared<CoreLink>())
{
    m_clock.start();
    m_link->core = this;
    m_pool.setMaxThreadCount(qMax(1, m_options.workerThreads));
    m_pool.setExpiryTimeout(-1); // keep threads (and their storage connections) warm
    m_requestIdPrefix =
        QByteArray::number(QRandomGenerator::global()->bounded(0x10000), 16).rightJustified(4, '0');
    for (size_t i = 0; i <= m_router.routes().size(); ++i)
        m_durations.push_back(std::make_unique<Histogram>());
    m_thread.setObjectName(QStringLiteral("lifdag-http-io"));
}

ServerCore::~ServerCore()
{
    close();
}

Status ServerCore::listen(const QHostAddress &address, quint16 port)
{
    if (m_listening)
        return Error { QStringLiteral("http.listen"), QStringLiteral("the server is already listening") };
    moveToThread(&m_thread);
    m_thread.start();
    QString error;
    QMetaObject::invokeMethod(
        this,
        [&] {
            m_tcp = new QTcpServer(this);
            m_tcp->setMaxPendingConnections(1024);
            m_tcp->setListenBacklogSize(1024);
            if (!m_tcp->listen(address, port)) {
                error = m_tcp->errorString();
                delete m_tcp;
                m_tcp = nullptr;
                return;
            }
            m_port.store(m_tcp->serverPort());
            QObject::connect(m_tcp, &QTcpServer::newConnection, this, [this] { onNewConnections(); });
            m_sweepTimer = new QTimer(this);
            const qint64 shortest =
                std::min({ m_options.headerTimeout.count(), m_options.bodyTimeout.count(),
                           m_options.idleTimeout.count(), m_options.webSocketPingInterval.count(),
                           m_options.writeTimeout.count() });
            m_sweepTimer->setInterval(int(qBound(qint64(20), qint64(shortest / 4), qint64(1000))));
            QObject::connect(m_sweepTimer, &QTimer::timeout, this, [this] { sweep(); });
            m_sweepTimer->start();
        },
        Qt::BlockingQueuedConnection);
    if (!error.isEmpty()) {
        m_thread.quit();
        m_thread.wait();
        return Error {
            QStringLiteral("http.listen"),
            QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(error)
        };
    }
    m_listening = true;
    return {};
}

void ServerCore::close()
{
    if (!m_listening)
        return;
    m_listening = false;
    shuttingDown.store(true);
    {
        std::lock_guard lock(m_link->mutex);
        m_link->core = nullptr;
    }
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_sweepTimer)
                m_sweepTimer->stop();
            if (m_tcp)
                m_tcp->close();
            const auto connections = m_connections;
            for (Connection *c : connections)
                c->shutdown();
        },
        Qt::BlockingQueuedConnection);
    m_pool.waitForDone();
    QMetaObject::invokeMethod(
        this,
        [this] {
            const auto connections = std::exchange(m_connections, {});
            for (Connection *c : connections)
                delete c;
            delete m_tcp;
            m_tcp = nullptr;
            delete m_sweepTimer;
            m_sweepTimer = nullptr;
            moveToThread(nullptr);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ServerCore::onNewConnections()
{
    while (m_tcp && m_tcp->hasPendingConnections()) {
        QTcpSocket *socket = m_tcp->nextPendingConnection();
        if (!socket)
            break;
        if (m_connections.size() >= m_options.maxConnections || shuttingDown.load()) {
            rejectedConnections.fetch_add(1);
            const QByteArray body =
                R"({"error":{"code":"too_many_connections","message":"the server has too many open connections; retry shortly"}})";
            socket->write(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
                "connection: close\r\ncontent-length: "
                + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            socket->disconnectFromHost();
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
            continue;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const quint64 id = m_nextId++;
        auto *c = new Connection(this, socket, id);
        m_connections.insert(id, c);
        openConnections.fetch_add(1);
        if (socket->bytesAvailable() > 0)
            c->readAndProcess();
    }
}

void ServerCore::removeConnection(quint64 id)
{
    Connection *c = m_connections.take(id);
    if (!c)
        return;
    if (c->state() == Connection::State::WebSocket)
        openWebSockets.fetch_sub(1);
    openConnections.fetch_sub(1);
    c->deleteLater();
}

void ServerCore::sweep()
{
    const qint64 now = nowMs();
#ifdef __GLIBC__
    // After a burst, glibc keeps the worker threads' freed memory in their arenas; once the server
    // has been quiet for a while, give it back so an idle server stays small.
    const quint64 served = requests.load();
    if (served != m_requestsAtTrim && now - m_lastRequestMs.load() > 2000) {
        m_requestsAtTrim = served;
        malloc_trim(0);
    }
#endif
    const auto connections = m_connections; // a check may remove its connection
    for (Connection *c : connections) {
        if (m_connections.contains(c->id()))
            c->checkTimeouts(now);
    }
}

QString ServerCore::nextRequestId()
{
    return QString::fromLatin1(m_requestIdPrefix + '-' + QByteArray::number(++m_requestCounter, 16));
}

bool ServerCore::enqueue(std::function<void()> job)
{
    if (m_waiting.load() >= m_options.maxQueuedRequests)
        return false;
    m_waiting.fetch_add(1);
    m_pool.start([this, job = std::move(job)] {
        m_waiting.fetch_sub(1);
        job();
    });
    return true;
}

void ServerCore::postWebSocketText(quint64 id, QByteArray payload)
{
    QMetaObject::invokeMethod(
        this,
        [this, id, payload = std::move(payload)] {
            if (Connection *c = connection(id))
                c->sendWebSocketText(payload);
        },
        Qt::QueuedConnection);
}

void ServerCore::postWebSocketClose(quint64 id, quint16 code, QString reason)
{
    QMetaObject::invokeMethod(
        this,
        [this, id, code, reason = std::move(reason)] {
            if (Connection *c = connection(id))
                c->closeWebSocket(code, reason);
        },
        Qt::QueuedConnection);
}

void ServerCore::recordRequest(int routeIndex, const QByteArray &, int status, double seconds)
{
    requests.fetch_add(1);
    m_lastRequestMs.store(nowMs());
    const int index = routeIndex < 0 ? int(m_router.routes().size()) : routeIndex;
    m_durations[size_t(index)]->observe(seconds);
    QMutexLocker lock(&m_countMutex);
    ++m_counts[{ index, status }];
}

ServerStats ServerCore::stats() const
{
    return { openConnections.load(), openWebSockets.load(), requests.load(), rejectedConnections.load(),
             timeouts.load() };
}

void ServerCore::writeMetrics(QByteArray &out) const
{
    const auto &routes = m_router.routes();
    auto labels = [&](int index) -> QByteArray {
        if (index >= int(routes.size()))
            return QByteArrayLiteral("method=\"\",route=\"unmatched\"");
        return "method=\"" + routes[size_t(index)].method + "\",route=\""
            + escapeLabel(routes[size_t(index)].pattern) + '"';
    };
    writeMetricHeader(out, "lifdag_http_requests_total", "counter",
                      "HTTP responses written, by route and status code.");
    {
        QMutexLocker lock(&m_countMutex);
        for (const auto &[key, count] : m_counts)
            writeSample(out, "lifdag_http_requests_total",
                        labels(key.first) + ",code=\"" + QByteArray::number(key.second) + '"', double(count));
    }
    writeMetricHeader(out, "lifdag_http_request_duration_seconds", "histogram",
                      "Time from a complete request to its response being written, by route.");
    for (size_t i = 0; i < m_durations.size(); ++i) {
        if (m_durations[i]->snapshot().count > 0)
            m_durations[i]->writePrometheus(out, "lifdag_http_request_duration_seconds", labels(int(i)));
    }
    const ServerStats s = stats();
    writeMetricHeader(out, "lifdag_http_open_connections", "gauge",
                      "Open HTTP connections (WebSockets included).");
    writeSample(out, "lifdag_http_open_connections", {}, double(s.openConnections));
    writeMetricHeader(out, "lifdag_http_open_websockets", "gauge", "Open WebSocket connections.");
    writeSample(out, "lifdag_http_open_websockets", {}, double(s.openWebSockets));
    writeMetricHeader(out, "lifdag_http_rejected_connections_total", "counter",
                      "Connections refused because maxConnections were open.");
    writeSample(out, "lifdag_http_rejected_connections_total", {}, double(s.rejectedConnections));
    writeMetricHeader(
        out, "lifdag_http_timeouts_total", "counter",
        "Connections closed for a slow request, an idle keep-alive or a client that stopped reading.");
    writeSample(out, "lifdag_http_timeouts_total", {}, double(s.timeouts));
}

} // namespace lifdag::http::detail

// ---- public API ---------------------------------------------------------------------------------

namespace lifdag::http {

WebSocket::WebSocket(quint64 id, std::shared_ptr<detail::CoreLink> link, qsizetype maxBufferedBytes)
    : m_id(id)
    , m_link(std::move(link))
    , m_maxBuffered(maxBufferedBytes)
{ }

bool WebSocket::sendText(QByteArray utf8)
{
    if (!m_open.load())
        return false;
    const qsizetype size = utf8.size();
    if (m_queued.fetch_add(size) + size > m_maxBuffered) {
        m_queued.fetch_sub(size);
        qCWarning(lcHttp, "WebSocket %llu: more than %lld bytes waiting for a slow client; closing", m_id,
                  static_cast<long long>(m_maxBuffered));
        close(1008, QStringLiteral("client too slow"));
        return false;
    }
    std::lock_guard lock(m_link->mutex);
    if (!m_link->core) {
        m_open.store(false);
        return false;
    }
    m_link->core->postWebSocketText(m_id, std::move(utf8));
    return true;
}

void WebSocket::close(quint16 code, const QString &reason)
{
    if (!m_open.exchange(false))
        return;
    std::lock_guard lock(m_link->mutex);
    if (m_link->core)
        m_link->core->postWebSocketClose(m_id, code, reason);
}

Server::Server(Router router, ServerOptions options)
    : d(std::make_unique<detail::ServerCore>(std::move(router), std::move(options)))
{ }

Server::~Server()
{
    close();
}

Status Server::listen(const QHostAddress &address, quint16 port)
{
    return d->listen(address, port);
}

quint16 Server::port() const
{
    return d->port();
}

void Server::close()
{
    d->close();
}

const Router &Server::router() const
{
    return d->router();
}

const ServerOptions &Server::options() const
{
    return d->options();
}

ServerStats Server::stats() const
{
    return d->stats();
}

void Server::writeMetrics(QByteArray &out) const
{
    d->writeMetrics(out);
}

} // namespace lifdag::http
