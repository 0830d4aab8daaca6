// Private: the wire formats, as pure functions - the HTTP/1.1 request head and WebSocket frames.
#pragma once

#include <lifdag/http/message.h>

#include <QByteArray>
#include <QString>

namespace lifdag::http::detail {

struct HeadLimits
{
    qsizetype maxRequestLineBytes = 8 * 1024;
    qsizetype maxHeaderBytes = 16 * 1024;
    int maxHeaderCount = 100;
    qsizetype maxBodyBytes = 1024 * 1024;
};

struct ParsedHead
{
    QByteArray method;
    QByteArray target;
    int minorVersion = 1; // HTTP/1.x
    QList<Header> headers;
    qsizetype headBytes = 0; // the head's length in the buffer, blank line included
    qint64 contentLength = 0;
    bool keepAlive = true;
    bool upgradeWebSocket = false; // Upgrade: websocket with Connection: upgrade
    bool expectContinue = false;
};

struct ParseFailure
{
    int status = 400;
    QString code;
    QString message;
};

enum class HeadState { Incomplete, Complete, Failed };

// Parses a request head at the start of `buffer`. `scanFrom` keeps where the search for the
// blank line resumes when more bytes arrive (start with 0), so a byte-by-byte sender costs O(n).
HeadState parseHead(const QByteArray &buffer, qsizetype *scanFrom, const HeadLimits &limits, ParsedHead *head,
                    ParseFailure *failure);

// RFC 6455 frames.
struct WsFrame
{
    bool fin = true;
    int opcode = 0; // 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong
    QByteArray payload; // unmasked
};

enum class FrameState { Incomplete, Frame, Failed };

// Parses one client frame at `buffer[offset]` (client frames must be masked). On Frame,
// `consumed` is its length; on Failed, `closeCode` says why (1002 protocol, 1009 too big).
FrameState parseClientFrame(const QByteArray &buffer, qsizetype offset, qsizetype maxPayload, WsFrame *frame,
                            qsizetype *consumed, quint16 *closeCode);

// One unmasked server frame with FIN set.
QByteArray encodeFrame(int opcode, QByteArrayView payload);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray webSocketAccept(const QByteArray &key);

} // namespace lifdag::http::detail
