// Lexer and recursive-descent parser for GraphQL documents (October 2021 spec), with
// graphql-js's syntax error wording and guards on length, token count and nesting.
#include "ast_p.h"

#include <QStringBuilder>

namespace lifdag::graphql::detail {

namespace {

enum class Tok {
    Eof,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    Equals,
    At,
    BracketL,
    BracketR,
    BraceL,
    Pipe,
    BraceR,
    Name,
    Int,
    Float,
    String,
    BlockString,
};

QString tokKindDesc(Tok kind)
{
    switch (kind) {
    case Tok::Eof:
        return QStringLiteral("<EOF>");
    case Tok::Bang:
        return QStringLiteral("\"!\"");
    case Tok::Dollar:
        return QStringLiteral("\"$\"");
    case Tok::Amp:
        return QStringLiteral("\"&\"");
    case Tok::ParenL:
        return QStringLiteral("\"(\"");
    case Tok::ParenR:
        return QStringLiteral("\")\"");
    case Tok::Spread:
        return QStringLiteral("\"...\"");
    case Tok::Colon:
        return QStringLiteral("\":\"");
    case Tok::Equals:
        return QStringLiteral("\"=\"");
    case Tok::At:
        return QStringLiteral("\"@\"");
    case Tok::BracketL:
        return QStringLiteral("\"[\"");
    case Tok::BracketR:
        return QStringLiteral("\"]\"");
    case Tok::BraceL:
        return QStringLiteral("\"{\"");
    case Tok::Pipe:
        return QStringLiteral("\"|\"");
    case Tok::BraceR:
        return QStringLiteral("\"}\"");
    case Tok::Name:
        return QStringLiteral("Name");
    case Tok::Int:
        return QStringLiteral("Int");
    case Tok::Float:
        return QStringLiteral("Float");
    case Tok::String:
        return QStringLiteral("String");
    case Tok::BlockString:
        return QStringLiteral("BlockString");
    }
    return {};
}

struct Token
{
    Tok kind = Tok::Eof;
    qsizetype start = 0;
    qsizetype end = 0;
    Loc loc;
    QString value; // names, numbers, string contents
};

struct SyntaxError
{
    qsizetype position;
    QString message;
};

bool isNameStart(char16_t c)
{
    return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_';
}
bool isNameContinue(char16_t c)
{
    return isNameStart(c) || (c >= u'0' && c <= u'9');
}
bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}
int hexValue(char16_t c)
{
    if (c >= u'0' && c <= u'9')
        return c - u'0';
    if (c >= u'a' && c <= u'f')
        return c - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c - u'A' + 10;
    return -1;
}

class Lexer
{
public:
    explicit Lexer(const QString &source)
        : m_src(source)
        , m_data(reinterpret_cast<const char16_t *>(source.constData()))
        , m_len(source.size())
    {
        if (m_len > 0 && m_data[0] == 0xFEFF)
            m_pos = 1;
    }

    // Reads the next significant token; returns false with `error` set on a lexical error.
    bool next(Token &token, SyntaxError &error);

    Loc locationOf(qsizetype position) const
    {
        // Positions passed here are at or after the last line start we saw, or anywhere for
        // errors; recompute from scratch when before it.
        int line = 1;
        qsizetype lineStart = 0;
        if (position >= m_lineStart) {
            line = m_line;
            lineStart = m_lineStart;
        } else {
            for (qsizetype i = 0; i < position; ++i) {
                if (m_data[i] == u'\n'
                    || (m_data[i] == u'\r' && !(i + 1 < m_len && m_data[i + 1] == u'\n'))) {
                    ++line;
                    lineStart = i + 1;
                } else if (m_data[i] == u'\r') {
                    // \r\n: the \n ends the line
                }
            }
        }
        return Loc { line, int(position - lineStart + 1) };
    }

    QString printCharAt(qsizetype position) const
    {
        if (position >= m_len)
            return QStringLiteral("<EOF>");
        char32_t code = m_data[position];
        if (QChar::isHighSurrogate(code) && position + 1 < m_len
            && QChar::isLowSurrogate(m_data[position + 1]))
            code = QChar::surrogateToUcs4(m_data[position], m_data[position + 1]);
        if (code >= 0x20 && code <= 0x7E) {
            return code == u'"' ? QStringLiteral("'\"'")
                                : QString(QLatin1Char('"') % QChar(code) % QLatin1Char('"'));
        }
        QString hex = QString::number(uint(code), 16).toUpper();
        while (hex.size() < 4)
            hex.prepend(QLatin1Char('0'));
        return QStringLiteral("U+") + hex;
    }

private:
    void newline(qsizetype nextLineStart)
    {
        ++m_line;
        m_lineStart = nextLineStart;
    }
    bool readNumber(Token &token, SyntaxError &error);
    bool readDigits(qsizetype &pos, SyntaxError &error);
    bool readString(Token &token, SyntaxError &error);
    bool readBlockString(Token &token, SyntaxError &error);

    const QString &m_src;
    const char16_t *m_data;
    qsizetype m_len;
    qsizetype m_pos = 0;
    int m_line = 1;
    qsizetype m_lineStart = 0;
};

bool Lexer::next(Token &token, SyntaxError &error)
{
    while (m_pos < m_len) {
        const char16_t c = m_data[m_pos];
        switch (c) {
        case 0xFEFF:
        case u'\t':
        case u' ':
        case u',':
            ++m_pos;
            continue;
        case u'\n':
            ++m_pos;
            newline(m_pos);
            continue;
        case u'\r':
            if (m_pos + 1 < m_len && m_data[m_pos + 1] == u'\n')
                m_pos += 2;
            else
                ++m_pos;
            newline(m_pos);
            continue;
        case u'#':
            while (m_pos < m_len && m_data[m_pos] != u'\n' && m_data[m_pos] != u'\r')
                ++m_pos;
            continue;
        default:
            break;
        }
        token.start = m_pos;
        token.loc = Loc { m_line, int(m_pos - m_lineStart + 1) };
        token.value.clear();
        auto punct = [&](Tok kind) {
            token.kind = kind;
            token.end = ++m_pos;
            return true;
        };
        switch (c) {
        case u'!':
            return punct(Tok::Bang);
        case u'$':
            return punct(Tok::Dollar);
        case u'&':
            return punct(Tok::Amp);
        case u'(':
            return punct(Tok::ParenL);
        case u')':
            return punct(Tok::ParenR);
        case u':':
            return punct(Tok::Colon);
        case u'=':
            return punct(Tok::Equals);
        case u'@':
            return punct(Tok::At);
        case u'[':
            return punct(Tok::BracketL);
        case u']':
            return punct(Tok::BracketR);
        case u'{':
            return punct(Tok::BraceL);
        case u'|':
            return punct(Tok::Pipe);
        case u'}':
            return punct(Tok::BraceR);
        case u'.':
            if (m_pos + 2 < m_len && m_data[m_pos + 1] == u'.' && m_data[m_pos + 2] == u'.') {
                token.kind = Tok::Spread;
                m_pos += 3;
                token.end = m_pos;
                return true;
            }
            break;
        case u'"':
            if (m_pos + 2 < m_len && m_data[m_pos + 1] == u'"' && m_data[m_pos + 2] == u'"')
                return readBlockString(token, error);
            return readString(token, error);
        default:
            break;
        }
        if (isDigit(c) || c == u'-')
            return readNumber(token, error);
        if (isNameStart(c)) {
            qsizetype end = m_pos + 1;
            while (end < m_len && isNameContinue(m_data[end]))
                ++end;
            token.kind = Tok::Name;
            token.value = m_src.mid(m_pos, end - m_pos);
            token.end = m_pos = end;
            return true;
        }
        error.position = m_pos;
        if (c == u'\'')
            error.message = QStringLiteral(
                "Unexpected single quote character ('), did you mean to use a double quote (\")?");
        else if (QChar::isSurrogate(c)
                 && !(QChar::isHighSurrogate(c) && m_pos + 1 < m_len
                      && QChar::isLowSurrogate(m_data[m_pos + 1])))
            error.message = QStringLiteral("Invalid character: ") + printCharAt(m_pos) + QLatin1Char('.');
        else
            error.message = QStringLiteral("Unexpected character: ") + printCharAt(m_pos) + QLatin1Char('.');
        return false;
    }
    token.kind = Tok::Eof;
    token.start = token.end = m_len;
    token.loc = Loc { m_line, int(m_len - m_lineStart + 1) };
    token.value.clear();
    return true;
}

bool Lexer::readDigits(qsizetype &pos, SyntaxError &error)
{
    if (pos >= m_len || !isDigit(m_data[pos])) {
        error.position = pos;
        error.message =
            QStringLiteral("Invalid number, expected digit but got: ") + printCharAt(pos) + QLatin1Char('.');
        return false;
    }
    while (pos < m_len && isDigit(m_data[pos]))
        ++pos;
    return true;
}

bool Lexer::readNumber(Token &token, SyntaxError &error)
{
    qsizetype pos = m_pos;
    bool isFloat = false;
    if (m_data[pos] == u'-')
        ++pos;
    if (pos < m_len && m_data[pos] == u'0') {
        ++pos;
        if (pos < m_len && isDigit(m_data[pos])) {
            error.position = pos;
            error.message = QStringLiteral("Invalid number, unexpected digit after 0: ") + printCharAt(pos)
                + QLatin1Char('.');
            return false;
        }
    } else if (!readDigits(pos, error)) {
        return false;
    }
    if (pos < m_len && m_data[pos] == u'.') {
        isFloat = true;
        ++pos;
        if (!readDigits(pos, error))
            return false;
    }
    if (pos < m_len && (m_data[pos] == u'e' || m_data[pos] == u'E')) {
        isFloat = true;
        ++pos;
        if (pos < m_len && (m_data[pos] == u'+' || m_data[pos] == u'-'))
            ++pos;
        if (!readDigits(pos, error))
            return false;
    }
    if (pos < m_len && (m_data[pos] == u'.' || isNameStart(m_data[pos]))) {
        error.position = pos;
        error.message =
            QStringLiteral("Invalid number, expected digit but got: ") + printCharAt(pos) + QLatin1Char('.');
        return false;
    }
    token.kind = isFloat ? Tok::Float : Tok::Int;
    token.value = m_src.mid(m_pos, pos - m_pos);
    token.end = m_pos = pos;
    return true;
}

bool isSourceChar(const char16_t *data, qsizetype len, qsizetype pos, int *size)
{
    const char16_t c = data[pos];
    if (!QChar::isSurrogate(c)) {
        *size = 1;
        return true;
    }
    if (QChar::isHighSurrogate(c) && pos + 1 < len && QChar::isLowSurrogate(data[pos + 1])) {
        *size = 2;
        return true;
    }
    return false;
}

bool Lexer::readString(Token &token, SyntaxError &error)
{
    qsizetype pos = m_pos + 1;
    qsizetype chunkStart = pos;
    QString value;
    while (pos < m_len) {
        const char16_t c = m_data[pos];
        if (c == u'"') {
            value += QStringView(m_src).mid(chunkStart, pos - chunkStart);
            token.kind = Tok::String;
            token.value = std::move(value);
            token.end = m_pos = pos + 1;
            return true;
        }
        if (c == u'\\') {
            value += QStringView(m_src).mid(chunkStart, pos - chunkStart);
            const char16_t e = pos + 1 < m_len ? m_data[pos + 1] : 0;
            auto invalidUnicode = [&](qsizetype size) {
                error.position = pos;
                error.message = QStringLiteral("Invalid Unicode escape sequence: \"")
                    + m_src.mid(pos, std::min(size, m_len - pos)) + QStringLiteral("\".");
                return false;
            };
            if (e == u'u') {
                if (pos + 2 < m_len && m_data[pos + 2] == u'{') {
                    char32_t point = 0;
                    qsizetype size = 3;
                    bool ok = false;
                    while (size < 12 && pos + size < m_len) {
                        const char16_t h = m_data[pos + size++];
                        if (h == u'}') {
                            ok = size >= 5 && point <= 0x10FFFF && !(point >= 0xD800 && point <= 0xDFFF);
                            break;
                        }
                        const int v = hexValue(h);
                        if (v < 0 || point > 0x10FFFF)
                            break;
                        point = (point << 4) | char32_t(v);
                    }
                    if (!ok)
                        return invalidUnicode(size);
                    value += QString::fromUcs4(&point, 1);
                    pos += size;
                } else {
                    auto read4 = [&](qsizetype at) -> int {
                        if (at + 4 > m_len)
                            return -1;
                        int code = 0;
                        for (int i = 0; i < 4; ++i) {
                            const int v = hexValue(m_data[at + i]);
                            if (v < 0)
                                return -1;
                            code = (code << 4) | v;
                        }
                        return code;
                    };
                    const int code = read4(pos + 2);
                    if (code >= 0 && !QChar::isSurrogate(char32_t(code))) {
                        value += QChar(char16_t(code));
                        pos += 6;
                    } else if (code >= 0 && QChar::isHighSurrogate(char32_t(code)) && pos + 7 < m_len
                               && m_data[pos + 6] == u'\\' && m_data[pos + 7] == u'u' && read4(pos + 8) >= 0
                               && QChar::isLowSurrogate(char32_t(read4(pos + 8)))) {
                        value += QChar(char16_t(code));
                        value += QChar(char16_t(read4(pos + 8)));
                        pos += 12;
                    } else {
                        return invalidUnicode(6);
                    }
                }
            } else {
                char16_t out = 0;
                switch (e) {
                case u'"':
                    out = u'"';
                    break;
                case u'\\':
                    out = u'\\';
                    break;
                case u'/':
                    out = u'/';
                    break;
                case u'b':
                    out = u'\b';
                    break;
                case u'f':
                    out = u'\f';
                    break;
                case u'n':
                    out = u'\n';
                    break;
                case u'r':
                    out = u'\r';
                    break;
                case u't':
                    out = u'\t';
                    break;
                default:
                    error.position = pos;
                    error.message = QStringLiteral("Invalid character escape sequence: \"")
                        + m_src.mid(pos, std::min<qsizetype>(2, m_len - pos)) + QStringLiteral("\".");
                    return false;
                }
                value += QChar(out);
                pos += 2;
            }
            chunkStart = pos;
            continue;
        }
        if (c == u'\n' || c == u'\r')
            break;
        int size = 1;
        if (!isSourceChar(m_data, m_len, pos, &size)) {
            error.position = pos;
            error.message =
                QStringLiteral("Invalid character within String: ") + printCharAt(pos) + QLatin1Char('.');
            return false;
        }
        pos += size;
    }
    error.position = pos;
    error.message = QStringLiteral("Unterminated string.");
    return false;
}

bool isWhite(QChar c)
{
    return c == u' ' || c == u'\t';
}

QString dedentBlockString(const QStringList &lines)
{
    qsizetype commonIndent = std::numeric_limits<qsizetype>::max();
    qsizetype firstNonEmpty = -1;
    qsizetype lastNonEmpty = -1;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        qsizetype indent = 0;
        while (indent < line.size() && isWhite(line[indent]))
            ++indent;
        if (indent == line.size())
            continue;
        if (firstNonEmpty < 0)
            firstNonEmpty = i;
        lastNonEmpty = i;
        if (i != 0 && indent < commonIndent)
            commonIndent = indent;
    }
    QString out;
    if (firstNonEmpty < 0)
        return out;
    for (qsizetype i = firstNonEmpty; i <= lastNonEmpty; ++i) {
        if (i > firstNonEmpty)
            out += QLatin1Char('\n');
        if (i == 0)
            out += lines[i];
        else
            out += QStringView(lines[i]).mid(std::min(commonIndent, lines[i].size()));
    }
    return out;
}

bool Lexer::readBlockString(Token &token, SyntaxError &error)
{
    qsizetype pos = m_pos + 3;
    qsizetype chunkStart = pos;
    QString current;
    QStringList lines;
    // Line bookkeeping: block strings span lines; the token's location stays at its start.
    int line = m_line;
    qsizetype lineStart = m_lineStart;
    while (pos < m_len) {
        const char16_t c = m_data[pos];
        if (c == u'"' && pos + 2 < m_len && m_data[pos + 1] == u'"' && m_data[pos + 2] == u'"') {
            current += QStringView(m_src).mid(chunkStart, pos - chunkStart);
            lines.append(current);
            token.kind = Tok::BlockString;
            token.value = dedentBlockString(lines);
            token.end = m_pos = pos + 3;
            m_line = line;
            m_lineStart = lineStart;
            return true;
        }
        if (c == u'\\' && pos + 3 < m_len && m_data[pos + 1] == u'"' && m_data[pos + 2] == u'"'
            && m_data[pos + 3] == u'"') {
            current += QStringView(m_src).mid(chunkStart, pos - chunkStart);
            current += QStringLiteral("\"\"\"");
            pos += 4;
            chunkStart = pos;
            continue;
        }
        if (c == u'\n' || c == u'\r') {
            current += QStringView(m_src).mid(chunkStart, pos - chunkStart);
            lines.append(current);
            current.clear();
            if (c == u'\r' && pos + 1 < m_len && m_data[pos + 1] == u'\n')
                pos += 2;
            else
                ++pos;
            chunkStart = pos;
            ++line;
            lineStart = pos;
            continue;
        }
        int size = 1;
        if (!isSourceChar(m_data, m_len, pos, &size)) {
            m_line = line;
            m_lineStart = lineStart;
            error.position = pos;
            error.message =
                QStringLiteral("Invalid character within String: ") + printCharAt(pos) + QLatin1Char('.');
            return false;
        }
        pos += size;
    }
    m_line = line;
    m_lineStart = lineStart;
    error.position = pos;
    error.message = QStringLiteral("Unterminated string.");
    return false;
}

struct ParseFailure
{
};

class Parser
{
public:
    Parser(const QString &source, const ParseOptions &options)
        : m_lexer(source)
        , m_options(options)
    { }

    std::shared_ptr<DocumentNode> parse(const QString &source, GraphQLError *error)
    {
        auto doc = std::make_shared<DocumentNode>();
        doc->source = source;
        try {
            if (source.size() > m_options.maxLength) {
                fail(0,
                     QStringLiteral("Document is longer than %1 characters. Parsing aborted.")
                         .arg(m_options.maxLength));
            }
            advance();
            if (m_tok.kind == Tok::Eof)
                unexpected();
            while (m_tok.kind != Tok::Eof)
                parseDefinition(*doc);
        } catch (const ParseFailure &) {
            if (error)
                *error = m_error;
            return nullptr;
        }
        return doc;
    }

private:
    [[noreturn]] void fail(qsizetype position, const QString &message)
    {
        m_error.message = QStringLiteral("Syntax Error: ") + message;
        m_error.locations = { m_lexer.locationOf(position) };
        throw ParseFailure {};
    }
    [[noreturn]] void failAt(const Token &token, const QString &message)
    {
        m_error.message = QStringLiteral("Syntax Error: ") + message;
        m_error.locations = { token.loc };
        throw ParseFailure {};
    }
    QString tokenDesc(const Token &t) const
    {
        if (t.kind == Tok::Name || t.kind == Tok::Int || t.kind == Tok::Float || t.kind == Tok::String
            || t.kind == Tok::BlockString)
            return tokKindDesc(t.kind) + QStringLiteral(" \"") + t.value + QLatin1Char('"');
        return tokKindDesc(t.kind);
    }
    [[noreturn]] void unexpected()
    {
        failAt(m_tok, QStringLiteral("Unexpected ") + tokenDesc(m_tok) + QLatin1Char('.'));
    }

    void advance()
    {
        SyntaxError err;
        if (!m_lexer.next(m_tok, err))
            fail(err.position, err.message);
        if (m_tok.kind != Tok::Eof && ++m_tokens > m_options.maxTokens) {
            failAt(m_tok,
                   QStringLiteral("Document contains more than %1 tokens. Parsing aborted.")
                       .arg(m_options.maxTokens));
        }
    }
    bool peek(Tok kind) const { return m_tok.kind == kind; }
    bool skip(Tok kind)
    {
        if (m_tok.kind != kind)
            return false;
        advance();
        return true;
    }
    Token expect(Tok kind)
    {
        if (m_tok.kind != kind)
            failAt(m_tok,
                   QStringLiteral("Expected ") + tokKindDesc(kind) + QStringLiteral(", found ")
                       + tokenDesc(m_tok) + QLatin1Char('.'));
        Token t = m_tok;
        advance();
        return t;
    }
    bool peekKeyword(QLatin1StringView word) const { return m_tok.kind == Tok::Name && m_tok.value == word; }
    bool skipKeyword(QLatin1StringView word)
    {
        if (!peekKeyword(word))
            return false;
        advance();
        return true;
    }
    void expectKeyword(QLatin1StringView word)
    {
        if (!skipKeyword(word))
            failAt(m_tok,
                   QStringLiteral("Expected \"") + QString(word) + QStringLiteral("\", found ")
                       + tokenDesc(m_tok) + QLatin1Char('.'));
    }
    NamedRef parseName()
    {
        Token t = expect(Tok::Name);
        return NamedRef { t.value, t.loc };
    }

    struct DepthGuard
    {
        DepthGuard(Parser &p)
            : parser(p)
        {
            if (++parser.m_depth > parser.m_options.maxDepth)
                parser.failAt(parser.m_tok,
                              QStringLiteral("Document nesting exceeds %1 levels. Parsing aborted.")
                                  .arg(parser.m_options.maxDepth));
        }
        ~DepthGuard() { --parser.m_depth; }
        Parser &parser;
    };

    void parseDefinition(DocumentNode &doc)
    {
        if (peek(Tok::BraceL)) {
            OperationDefinition op;
            op.loc = m_tok.loc;
            op.selections = parseSelectionSet();
            doc.operations.push_back(std::move(op));
            return;
        }
        const bool hasDescription = peek(Tok::String) || peek(Tok::BlockString);
        if (hasDescription) {
            // Only type system definitions carry descriptions; look past it.
            Token desc = m_tok;
            advance();
            if (m_tok.kind == Tok::Name && isTypeSystemKeyword(m_tok.value)) {
                parseTypeSystemDefinition(doc, desc.value, desc.loc);
                return;
            }
            if (m_tok.kind == Tok::Name)
                failAt(desc,
                       QStringLiteral(
                           "Unexpected description, descriptions are supported only on type definitions."));
            unexpected();
        }
        if (m_tok.kind == Tok::Name) {
            const QString &kw = m_tok.value;
            if (kw == QLatin1StringView("query") || kw == QLatin1StringView("mutation")
                || kw == QLatin1StringView("subscription")) {
                doc.operations.push_back(parseOperation());
                return;
            }
            if (kw == QLatin1StringView("fragment")) {
                doc.fragments.push_back(parseFragment());
                return;
            }
            if (isTypeSystemKeyword(kw)) {
                parseTypeSystemDefinition(doc, {}, m_tok.loc);
                return;
            }
            if (kw == QLatin1StringView("extend")) {
                parseExtension(doc);
                return;
            }
        }
        unexpected();
    }

    static bool isTypeSystemKeyword(const QString &kw)
    {
        static const char *const words[] = { "schema", "scalar", "type",  "interface",
                                             "union",  "enum",   "input", "directive" };
        for (const char *w : words)
            if (kw == QLatin1StringView(w))
                return true;
        return false;
    }

    OperationDefinition parseOperation()
    {
        OperationDefinition op;
        op.loc = m_tok.loc;
        if (m_tok.value == QLatin1StringView("mutation"))
            op.type = OperationType::Mutation;
        else if (m_tok.value == QLatin1StringView("subscription"))
            op.type = OperationType::Subscription;
        advance();
        if (peek(Tok::Name))
            op.name = parseName().name;
        if (peek(Tok::ParenL)) {
            advance();
            do {
                op.variables.push_back(parseVariableDefinition());
            } while (!skip(Tok::ParenR));
        }
        op.directives = parseDirectives(false);
        op.selections = parseSelectionSet();
        return op;
    }

    VariableDefinition parseVariableDefinition()
    {
        VariableDefinition def;
        def.loc = m_tok.loc;
        expect(Tok::Dollar);
        def.name = parseName().name;
        expect(Tok::Colon);
        def.type = parseType();
        if (skip(Tok::Equals))
            def.defaultValue = parseValue(true);
        def.directives = parseDirectives(true);
        return def;
    }

    std::shared_ptr<const TypeNode> parseType()
    {
        DepthGuard guard(*this);
        auto node = std::make_shared<TypeNode>();
        node->loc = m_tok.loc;
        if (skip(Tok::BracketL)) {
            node->kind = TypeNode::Kind::List;
            node->inner = parseType();
            expect(Tok::BracketR);
        } else {
            node->kind = TypeNode::Kind::Named;
            node->name = parseName().name;
        }
        if (skip(Tok::Bang)) {
            auto nn = std::make_shared<TypeNode>();
            nn->kind = TypeNode::Kind::NonNull;
            nn->loc = node->loc;
            nn->inner = std::move(node);
            return nn;
        }
        return node;
    }

    std::vector<Directive> parseDirectives(bool isConst)
    {
        std::vector<Directive> out;
        while (peek(Tok::At)) {
            Directive d;
            d.loc = m_tok.loc;
            advance();
            d.name = parseName().name;
            d.arguments = parseArguments(isConst);
            out.push_back(std::move(d));
        }
        return out;
    }

    std::vector<Argument> parseArguments(bool isConst)
    {
        std::vector<Argument> out;
        if (!skip(Tok::ParenL))
            return out;
        do {
            Argument a;
            a.loc = m_tok.loc;
            a.name = parseName().name;
            expect(Tok::Colon);
            a.value = parseValue(isConst);
            out.push_back(std::move(a));
        } while (!skip(Tok::ParenR));
        return out;
    }

    std::vector<Selection> parseSelectionSet()
    {
        DepthGuard guard(*this);
        std::vector<Selection> out;
        expect(Tok::BraceL);
        do {
            out.push_back(parseSelection());
        } while (!skip(Tok::BraceR));
        return out;
    }

    Selection parseSelection()
    {
        Selection s;
        s.loc = m_tok.loc;
        if (skip(Tok::Spread)) {
            const bool hasTypeCondition = peekKeyword(QLatin1StringView("on"));
            if (!hasTypeCondition && peek(Tok::Name)) {
                s.kind = Selection::Kind::FragmentSpread;
                s.name = parseName().name;
                s.directives = parseDirectives(false);
                return s;
            }
            s.kind = Selection::Kind::InlineFragment;
            if (hasTypeCondition) {
                advance();
                const NamedRef cond = parseName();
                s.typeCondition = cond.name;
                s.typeConditionLoc = cond.loc;
            }
            s.directives = parseDirectives(false);
            s.hasSelectionSet = true;
            s.selections = parseSelectionSet();
            return s;
        }
        s.kind = Selection::Kind::Field;
        const NamedRef first = parseName();
        if (skip(Tok::Colon)) {
            s.alias = first.name;
            s.name = parseName().name;
        } else {
            s.name = first.name;
        }
        s.arguments = parseArguments(false);
        s.directives = parseDirectives(false);
        if (peek(Tok::BraceL)) {
            s.hasSelectionSet = true;
            s.selections = parseSelectionSet();
        }
        return s;
    }

    FragmentDefinition parseFragment()
    {
        FragmentDefinition f;
        f.loc = m_tok.loc;
        advance();
        if (peekKeyword(QLatin1StringView("on")))
            unexpected();
        f.name = parseName().name;
        expectKeyword(QLatin1StringView("on"));
        const NamedRef cond = parseName();
        f.typeCondition = cond.name;
        f.typeConditionLoc = cond.loc;
        f.directives = parseDirectives(false);
        f.selections = parseSelectionSet();
        return f;
    }

    ValueNode parseValue(bool isConst)
    {
        ValueNode v;
        v.loc = m_tok.loc;
        switch (m_tok.kind) {
        case Tok::BracketL: {
            DepthGuard guard(*this);
            advance();
            v.kind = ValueNode::Kind::List;
            while (!skip(Tok::BracketR))
                v.list.push_back(parseValue(isConst));
            return v;
        }
        case Tok::BraceL: {
            DepthGuard guard(*this);
            advance();
            v.kind = ValueNode::Kind::Object;
            while (!skip(Tok::BraceR)) {
                ValueNode::Field f;
                f.loc = m_tok.loc;
                f.name = parseName().name;
                expect(Tok::Colon);
                f.value = parseValue(isConst);
                v.fields.push_back(std::move(f));
            }
            return v;
        }
        case Tok::Int:
            v.kind = ValueNode::Kind::Int;
            v.text = m_tok.value;
            advance();
            return v;
        case Tok::Float:
            v.kind = ValueNode::Kind::Float;
            v.text = m_tok.value;
            advance();
            return v;
        case Tok::String:
        case Tok::BlockString:
            v.kind = ValueNode::Kind::String;
            v.block = m_tok.kind == Tok::BlockString;
            v.text = m_tok.value;
            advance();
            return v;
        case Tok::Name:
            if (m_tok.value == QLatin1StringView("true") || m_tok.value == QLatin1StringView("false")) {
                v.kind = ValueNode::Kind::Boolean;
                v.boolean = m_tok.value == QLatin1StringView("true");
            } else if (m_tok.value == QLatin1StringView("null")) {
                v.kind = ValueNode::Kind::Null;
            } else {
                v.kind = ValueNode::Kind::Enum;
                v.text = m_tok.value;
            }
            advance();
            return v;
        case Tok::Dollar:
            if (isConst) {
                const Token dollar = m_tok;
                advance();
                if (peek(Tok::Name))
                    failAt(dollar,
                           QStringLiteral("Unexpected variable \"$") + m_tok.value
                               + QStringLiteral("\" in constant value."));
                failAt(dollar, QStringLiteral("Unexpected \"$\"."));
            }
            advance();
            v.kind = ValueNode::Kind::Variable;
            v.text = parseName().name;
            return v;
        default:
            unexpected();
        }
    }

    // Type system -----------------------------------------------------------------------

    QString parseDescription()
    {
        if (peek(Tok::String) || peek(Tok::BlockString)) {
            QString d = m_tok.value;
            advance();
            return d;
        }
        return {};
    }

    std::vector<NamedRef> parseImplements()
    {
        std::vector<NamedRef> out;
        if (!skipKeyword(QLatin1StringView("implements")))
            return out;
        skip(Tok::Amp);
        do {
            out.push_back(parseName());
        } while (skip(Tok::Amp));
        return out;
    }

    std::vector<InputValueDefinition> parseArgumentDefs()
    {
        std::vector<InputValueDefinition> out;
        if (!skip(Tok::ParenL))
            return out;
        do {
            out.push_back(parseInputValueDef());
        } while (!skip(Tok::ParenR));
        return out;
    }

    InputValueDefinition parseInputValueDef()
    {
        InputValueDefinition d;
        d.description = parseDescription();
        d.loc = m_tok.loc;
        d.name = parseName().name;
        expect(Tok::Colon);
        d.type = parseType();
        if (skip(Tok::Equals))
            d.defaultValue = parseValue(true);
        d.directives = parseDirectives(true);
        return d;
    }

    std::vector<FieldDefinition> parseFieldDefs()
    {
        std::vector<FieldDefinition> out;
        if (!skip(Tok::BraceL))
            return out;
        do {
            FieldDefinition f;
            f.description = parseDescription();
            f.loc = m_tok.loc;
            f.name = parseName().name;
            f.arguments = parseArgumentDefs();
            expect(Tok::Colon);
            f.type = parseType();
            f.directives = parseDirectives(true);
            out.push_back(std::move(f));
        } while (!skip(Tok::BraceR));
        return out;
    }

    void parseTypeSystemDefinition(DocumentNode &doc, const QString &description, Loc loc,
                                   bool extension = false)
    {
        TypeSystemDefinition def;
        def.description = description;
        def.loc = loc;
        def.extension = extension;
        const QString kw = m_tok.value;
        advance();
        if (kw == QLatin1StringView("schema")) {
            def.kind = TypeSystemDefinition::Kind::Schema;
            def.directives = parseDirectives(true);
            if (extension && !peek(Tok::BraceL)) {
                doc.typeDefinitions.push_back(std::move(def));
                return;
            }
            expect(Tok::BraceL);
            do {
                const Token opTok = expect(Tok::Name);
                OperationType op;
                if (opTok.value == QLatin1StringView("query"))
                    op = OperationType::Query;
                else if (opTok.value == QLatin1StringView("mutation"))
                    op = OperationType::Mutation;
                else if (opTok.value == QLatin1StringView("subscription"))
                    op = OperationType::Subscription;
                else
                    failAt(opTok, QStringLiteral("Unexpected ") + tokenDesc(opTok) + QLatin1Char('.'));
                expect(Tok::Colon);
                def.operationTypes.emplace_back(op, parseName());
            } while (!skip(Tok::BraceR));
        } else if (kw == QLatin1StringView("scalar")) {
            def.kind = TypeSystemDefinition::Kind::Scalar;
            def.name = parseName().name;
            def.directives = parseDirectives(true);
        } else if (kw == QLatin1StringView("type") || kw == QLatin1StringView("interface")) {
            def.kind = kw == QLatin1StringView("type") ? TypeSystemDefinition::Kind::Object
                                                       : TypeSystemDefinition::Kind::Interface;
            def.name = parseName().name;
            def.interfaces = parseImplements();
            def.directives = parseDirectives(true);
            def.fields = parseFieldDefs();
        } else if (kw == QLatin1StringView("union")) {
            def.kind = TypeSystemDefinition::Kind::Union;
            def.name = parseName().name;
            def.directives = parseDirectives(true);
            if (skip(Tok::Equals)) {
                skip(Tok::Pipe);
                do {
                    def.unionMembers.push_back(parseName());
                } while (skip(Tok::Pipe));
            }
        } else if (kw == QLatin1StringView("enum")) {
            def.kind = TypeSystemDefinition::Kind::Enum;
            def.name = parseName().name;
            def.directives = parseDirectives(true);
            if (skip(Tok::BraceL)) {
                do {
                    EnumValueDefinition v;
                    v.description = parseDescription();
                    v.loc = m_tok.loc;
                    if (peekKeyword(QLatin1StringView("true")) || peekKeyword(QLatin1StringView("false"))
                        || peekKeyword(QLatin1StringView("null")))
                        failAt(m_tok,
                               QStringLiteral("Name \"") + m_tok.value
                                   + QStringLiteral("\" is reserved and cannot be used for an enum value."));
                    v.name = parseName().name;
                    v.directives = parseDirectives(true);
                    def.enumValues.push_back(std::move(v));
                } while (!skip(Tok::BraceR));
            }
        } else if (kw == QLatin1StringView("input")) {
            def.kind = TypeSystemDefinition::Kind::InputObject;
            def.name = parseName().name;
            def.directives = parseDirectives(true);
            if (skip(Tok::BraceL)) {
                do {
                    def.inputFields.push_back(parseInputValueDef());
                } while (!skip(Tok::BraceR));
            }
        } else if (kw == QLatin1StringView("directive")) {
            def.kind = TypeSystemDefinition::Kind::Directive;
            expect(Tok::At);
            def.name = parseName().name;
            def.inputFields = parseArgumentDefs();
            def.repeatable = skipKeyword(QLatin1StringView("repeatable"));
            expectKeyword(QLatin1StringView("on"));
            skip(Tok::Pipe);
            do {
                const NamedRef location = parseName();
                if (!isDirectiveLocation(location.name))
                    failAt(m_tok,
                           QStringLiteral("Unexpected Name \"") + location.name + QStringLiteral("\"."));
                def.directiveLocations.push_back(location);
            } while (skip(Tok::Pipe));
        }
        doc.typeDefinitions.push_back(std::move(def));
    }

    static bool isDirectiveLocation(const QString &name)
    {
        static const char *const names[] = { "QUERY",
                                             "MUTATION",
                                             "SUBSCRIPTION",
                                             "FIELD",
                                             "FRAGMENT_DEFINITION",
                                             "FRAGMENT_SPREAD",
                                             "INLINE_FRAGMENT",
                                             "VARIABLE_DEFINITION",
                                             "SCHEMA",
                                             "SCALAR",
                                             "OBJECT",
                                             "FIELD_DEFINITION",
                                             "ARGUMENT_DEFINITION",
                                             "INTERFACE",
                                             "UNION",
                                             "ENUM",
                                             "ENUM_VALUE",
                                             "INPUT_OBJECT",
                                             "INPUT_FIELD_DEFINITION" };
        for (const char *n : names)
            if (name == QLatin1StringView(n))
                return true;
        return false;
    }

    void parseExtension(DocumentNode &doc)
    {
        const Loc loc = m_tok.loc;
        advance();
        if (m_tok.kind != Tok::Name || !isTypeSystemKeyword(m_tok.value)
            || m_tok.value == QLatin1StringView("directive"))
            unexpected();
        parseTypeSystemDefinition(doc, {}, loc, true);
    }

    Lexer m_lexer;
    const ParseOptions &m_options;
    Token m_tok;
    int m_tokens = 0;
    int m_depth = 0;
    GraphQLError m_error;
};

} // namespace

std::shared_ptr<DocumentNode> parseDocument(const QString &source, const ParseOptions &options,
                                            GraphQLError *error)
{
    Parser parser(source, options);
    return parser.parse(source, error);
}

QString TypeNode::toString() const
{
    switch (kind) {
    case Kind::Named:
        return name;
    case Kind::List:
        return QLatin1Char('[') + inner->toString() + QLatin1Char(']');
    case Kind::NonNull:
        return inner->toString() + QLatin1Char('!');
    }
    return {};
}

QString TypeSystemDefinition::displayName() const
{
    // graphql-js reports non-executable definitions by name ("schema" has none).
    return name;
}

QString printString(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (QChar ch : text) {
        const char16_t c = ch.unicode();
        switch (c) {
        case u'"':
            out += QStringLiteral("\\\"");
            break;
        case u'\\':
            out += QStringLiteral("\\\\");
            break;
        case u'\b':
            out += QStringLiteral("\\b");
            break;
        case u'\t':
            out += QStringLiteral("\\t");
            break;
        case u'\n':
            out += QStringLiteral("\\n");
            break;
        case u'\f':
            out += QStringLiteral("\\f");
            break;
        case u'\r':
            out += QStringLiteral("\\r");
            break;
        default:
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                QString hex = QString::number(c, 16).toUpper();
                while (hex.size() < 4)
                    hex.prepend(QLatin1Char('0'));
                out += QStringLiteral("\\u") + hex;
            } else {
                out += ch;
            }
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString printBlockString(const QString &value)
{
    QString escaped = value;
    escaped.replace(QStringLiteral("\"\"\""), QStringLiteral("\\\"\"\""));
    QString normalized = escaped;
    normalized.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    normalized.replace(QLatin1Char('\r'), QLatin1Char('\n'));
    const QStringList lines = normalized.split(QLatin1Char('\n'));
    const bool isSingleLine = lines.size() == 1;
    bool forceLeadingNewLine = lines.size() > 1;
    for (qsizetype i = 1; i < lines.size() && forceLeadingNewLine; ++i)
        forceLeadingNewLine = lines[i].isEmpty() || isWhite(lines[i][0]);
    const bool hasTrailingTripleQuotes = escaped.endsWith(QStringLiteral("\\\"\"\""));
    const bool hasTrailingQuote = value.endsWith(QLatin1Char('"')) && !hasTrailingTripleQuotes;
    const bool hasTrailingSlash = value.endsWith(QLatin1Char('\\'));
    const bool forceTrailingNewline = hasTrailingQuote || hasTrailingSlash;
    const bool printAsMultipleLines = !isSingleLine || value.size() > 70 || forceTrailingNewline
        || forceLeadingNewLine || hasTrailingTripleQuotes;
    QString result;
    const bool skipLeadingNewLine = isSingleLine && !value.isEmpty() && isWhite(value[0]);
    if ((printAsMultipleLines && !skipLeadingNewLine) || forceLeadingNewLine)
        result += QLatin1Char('\n');
    result += escaped;
    if (printAsMultipleLines || forceTrailingNewline)
        result += QLatin1Char('\n');
    return QStringLiteral("\"\"\"") + result + QStringLiteral("\"\"\"");
}

QString printValue(const ValueNode &value)
{
    switch (value.kind) {
    case ValueNode::Kind::Variable:
        return QLatin1Char('$') + value.text;
    case ValueNode::Kind::Int:
    case ValueNode::Kind::Float:
    case ValueNode::Kind::Enum:
        return value.text;
    case ValueNode::Kind::String:
        return value.block ? printBlockString(value.text) : printString(value.text);
    case ValueNode::Kind::Boolean:
        return value.boolean ? QStringLiteral("true") : QStringLiteral("false");
    case ValueNode::Kind::Null:
        return QStringLiteral("null");
    case ValueNode::Kind::List: {
        QStringList items;
        for (const ValueNode &item : value.list)
            items.append(printValue(item));
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case ValueNode::Kind::Object: {
        QStringList items;
        for (const ValueNode::Field &f : value.fields)
            items.append(f.name + QStringLiteral(": ") + printValue(f.value));
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    }
    return {};
}

} // namespace lifdag::graphql::detail
