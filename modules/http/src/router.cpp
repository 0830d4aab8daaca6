#include "lifdag/http/router.h"

namespace lifdag::http {

bool decodePathSegments(const QByteArray &rawPath, QStringList *segments)
{
    segments->clear();
    if (!rawPath.startsWith('/'))
        return false;
    qsizetype start = 1;
    while (start <= rawPath.size()) {
        qsizetype slash = rawPath.indexOf('/', start);
        if (slash < 0)
            slash = rawPath.size();
        const QByteArray decoded = QByteArray::fromPercentEncoding(rawPath.mid(start, slash - start));
        if (!isValidUtf8(decoded))
            return false;
        segments->append(QString::fromUtf8(decoded));
        start = slash + 1;
    }
    return true;
}

void Router::add(Route route)
{
    Compiled c;
    const QStringList parts = route.pattern.mid(1).split(QLatin1Char('/'));
    for (const QString &p : parts) {
        const bool param = p.startsWith(QLatin1Char('{')) && p.endsWith(QLatin1Char('}'));
        c.segments.append(param ? p.mid(1, p.size() - 2) : p);
        c.isParam.append(param);
        c.literalCount += param ? 0 : 1;
    }
    for (size_t i = 0; i < m_routes.size(); ++i) {
        if (m_routes[i].method == route.method && m_routes[i].pattern == route.pattern) {
            m_routes[i] = std::move(route);
            m_compiled[i] = std::move(c);
            return;
        }
    }
    m_routes.push_back(std::move(route));
    m_compiled.push_back(std::move(c));
}

void Router::add(const QByteArray &method, const QString &pattern, Handler handler, QJsonObject doc)
{
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.handler = std::move(handler);
    r.doc = std::move(doc);
    add(std::move(r));
}

void Router::addWebSocket(const QString &pattern, WebSocketAccept accept, QJsonObject doc)
{
    Route r;
    r.method = QByteArrayLiteral("GET");
    r.pattern = pattern;
    r.webSocket = std::move(accept);
    r.doc = std::move(doc);
    add(std::move(r));
}

Router::Match Router::match(const QByteArray &method, const QByteArray &rawPath) const
{
    Match m;
    QStringList segments;
    if (!decodePathSegments(rawPath, &segments))
        return m;
    // The most specific pattern (most literal segments) whose shape fits wins, per method.
    int bestForMethod = -1;
    int bestLiterals = -1;
    const QByteArray effective = method == "HEAD" ? QByteArrayLiteral("GET") : method;
    for (size_t i = 0; i < m_routes.size(); ++i) {
        const Compiled &c = m_compiled[i];
        if (c.segments.size() != segments.size())
            continue;
        bool fits = true;
        for (qsizetype s = 0; s < segments.size() && fits; ++s) {
            if (c.isParam[s])
                fits = !segments[s].isEmpty();
            else
                fits = c.segments[s] == segments[s];
        }
        if (!fits)
            continue;
        if (!m.allowed.contains(m_routes[i].method))
            m.allowed.append(m_routes[i].method);
        const bool methodFits =
            m_routes[i].method == effective || (method == "HEAD" && m_routes[i].method == "HEAD");
        if (methodFits && c.literalCount > bestLiterals) {
            bestLiterals = c.literalCount;
            bestForMethod = int(i);
        }
    }
    if (m.allowed.contains("GET") && !m.allowed.contains("HEAD"))
        m.allowed.append(QByteArrayLiteral("HEAD"));
    if (m.allowed.isEmpty())
        return m;
    if (!m.allowed.contains("OPTIONS"))
        m.allowed.append(QByteArrayLiteral("OPTIONS"));
    if (bestForMethod < 0) {
        m.kind = Match::Kind::MethodNotAllowed;
        return m;
    }
    m.kind = Match::Kind::Found;
    m.index = bestForMethod;
    m.route = &m_routes[size_t(bestForMethod)];
    const Compiled &c = m_compiled[size_t(bestForMethod)];
    for (qsizetype s = 0; s < segments.size(); ++s) {
        if (c.isParam[s])
            m.params.insert(c.segments[s], segments[s]);
    }
    return m;
}

} // namespace lifdag::http
