#include "lifdag/client/textutil.h"

#include <QHash>
#include <QStringList>

namespace lifdag::client {

namespace {

// A small scanner over JSON text that records where each path starts.
class PathScanner
{
public:
    explicit PathScanner(const QString &text)
        : m_text(text)
    { }

    void run() { value(QString(), -1); }
    const QHash<QString, std::pair<int, int>> &positions() const { return m_positions; }

private:
    void skipSpace()
    {
        while (m_pos < m_text.size() && m_text[m_pos].isSpace())
            ++m_pos;
    }

    bool atEnd() const { return m_pos >= m_text.size(); }

    // A string at m_pos (which is '"'); returns its decoded text (escapes kept simple).
    QString string()
    {
        QString out;
        ++m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != QLatin1Char('"')) {
            if (m_text[m_pos] == QLatin1Char('\\') && m_pos + 1 < m_text.size()) {
                ++m_pos;
                const QChar c = m_text[m_pos];
                out += c == QLatin1Char('n') ? QLatin1Char('\n')
                    : c == QLatin1Char('t')  ? QLatin1Char('\t')
                                             : c;
            } else {
                out += m_text[m_pos];
            }
            ++m_pos;
        }
        ++m_pos;
        return out;
    }

    void value(const QString &path, int keyStart)
    {
        skipSpace();
        if (atEnd())
            return;
        const int start = m_pos;
        if (keyStart < 0)
            m_positions.insert(path, { start, 1 });
        const QChar c = m_text[m_pos];
        if (c == QLatin1Char('{')) {
            ++m_pos;
            while (true) {
                skipSpace();
                if (atEnd())
                    return;
                if (m_text[m_pos] == QLatin1Char('}')) {
                    ++m_pos;
                    return;
                }
                if (m_text[m_pos] == QLatin1Char(',')) {
                    ++m_pos;
                    continue;
                }
                if (m_text[m_pos] != QLatin1Char('"'))
                    return; // not JSON: stop here, keep what was found
                const int keyAt = m_pos;
                const QString key = string();
                const QString childPath = path.isEmpty() ? key : QString(path + QLatin1Char('.') + key);
                m_positions.insert(childPath, { keyAt, m_pos - keyAt });
                skipSpace();
                if (atEnd() || m_text[m_pos] != QLatin1Char(':'))
                    return;
                ++m_pos;
                value(childPath, keyAt);
            }
        }
        if (c == QLatin1Char('[')) {
            ++m_pos;
            int i = 0;
            while (true) {
                skipSpace();
                if (atEnd())
                    return;
                if (m_text[m_pos] == QLatin1Char(']')) {
                    ++m_pos;
                    return;
                }
                if (m_text[m_pos] == QLatin1Char(',')) {
                    ++m_pos;
                    continue;
                }
                const int before = m_pos;
                value(QString(path + QLatin1Char('[') + QString::number(i++) + QLatin1Char(']')), -1);
                if (m_pos == before)
                    return;
            }
        }
        if (c == QLatin1Char('"')) {
            string();
            return;
        }
        // number, true, false, null
        while (m_pos < m_text.size() && !m_text[m_pos].isSpace() && m_text[m_pos] != QLatin1Char(',')
               && m_text[m_pos] != QLatin1Char('}') && m_text[m_pos] != QLatin1Char(']'))
            ++m_pos;
    }

    const QString &m_text;
    int m_pos = 0;
    QHash<QString, std::pair<int, int>> m_positions; // path -> (offset, length)
};

// "a.b[2].c" -> its parent "a.b[2]"; "a" -> "".
QString parentPath(const QString &path)
{
    if (path.endsWith(QLatin1Char(']'))) {
        const qsizetype open = path.lastIndexOf(QLatin1Char('['));
        return open <= 0 ? QString() : path.left(open);
    }
    const qsizetype dot = path.lastIndexOf(QLatin1Char('.'));
    const qsizetype bracket = path.lastIndexOf(QLatin1Char(']'));
    if (dot < 0)
        return bracket >= 0 ? path.left(bracket + 1) : QString();
    return path.left(std::max(dot, bracket + 1));
}

} // namespace

void lineAndColumn(const QString &text, int offset, int *line, int *column)
{
    int l = 1;
    int lineStart = 0;
    const int end = std::min(offset, int(text.size()));
    for (int i = 0; i < end; ++i) {
        if (text[i] == QLatin1Char('\n')) {
            ++l;
            lineStart = i + 1;
        }
    }
    *line = l;
    *column = offset - lineStart + 1;
}

TextLocation locateJsonPath(const QString &json, const QString &path)
{
    PathScanner scanner(json);
    scanner.run();
    const auto &positions = scanner.positions();
    TextLocation loc;
    QString p = path;
    if (p == QLatin1StringView("root"))
        p.clear();
    bool first = true;
    while (true) {
        const auto it = positions.constFind(p);
        if (it != positions.constEnd()) {
            loc.found = true;
            loc.exact = first;
            loc.offset = it->first;
            loc.length = it->second;
            loc.matchedPath = p;
            lineAndColumn(json, loc.offset, &loc.line, &loc.column);
            return loc;
        }
        if (p.isEmpty())
            return loc;
        p = parentPath(p);
        first = false;
    }
}

QList<DiffLine> diffLines(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char('\n'));
    const QStringList b = after.split(QLatin1Char('\n'));
    const int n = int(a.size());
    const int m = int(b.size());
    // LCS table from the end; texts here are configuration sections (hundreds of lines at most).
    std::vector<std::vector<int>> lcs(size_t(n) + 1, std::vector<int>(size_t(m) + 1, 0));
    for (int i = n - 1; i >= 0; --i) {
        for (int j = m - 1; j >= 0; --j)
            lcs[size_t(i)][size_t(j)] = a[i] == b[j]
                ? lcs[size_t(i) + 1][size_t(j) + 1] + 1
                : std::max(lcs[size_t(i) + 1][size_t(j)], lcs[size_t(i)][size_t(j) + 1]);
    }
    QList<DiffLine> out;
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out.append({ ' ', a[i], i + 1, j + 1 });
            ++i;
            ++j;
        } else if (i < n && (j == m || lcs[size_t(i) + 1][size_t(j)] >= lcs[size_t(i)][size_t(j) + 1])) {
            out.append({ '-', a[i], i + 1, 0 });
            ++i;
        } else {
            out.append({ '+', b[j], 0, j + 1 });
            ++j;
        }
    }
    return out;
}

} // namespace lifdag::client
