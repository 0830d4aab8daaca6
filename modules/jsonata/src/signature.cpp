// Function signatures (<s-n?:s>) and JavaScript regular expression literals.
#include "ast_p.h"

namespace lifdag::jsonata::detail {

using namespace Qt::StringLiterals;

bool Signature::Param::matches(char symbol) const
{
    switch (type) {
    case 's':
    case 'n':
    case 'b':
    case 'l':
    case 'o':
        return symbol == type || symbol == 'm';
    case 'a':
    case 'x':
        return QByteArrayView("asnblfom").contains(symbol);
    case 'f':
        return symbol == 'f';
    case 'j':
        return QByteArrayView("asnblom").contains(symbol);
    case '(':
        return symbol == 'm' || choice.contains(QLatin1Char(symbol));
    default:
        return false;
    }
}

bool Signature::Param::matchesContext(char symbol) const
{
    return matches(symbol);
}

std::shared_ptr<const Signature> parseSignature(const QString &signature)
{
    auto sig = std::make_shared<Signature>();
    sig->definition = signature;
    int position = 1;
    Signature::Param param;
    int prev = -1; // index of the previous parameter in sig->params
    auto next = [&]() {
        sig->params.push_back(param);
        prev = int(sig->params.size()) - 1;
        param = Signature::Param();
    };
    auto findClosing = [&](int start, QChar open, QChar close) {
        int depth = 1;
        int pos = start;
        while (pos < signature.size()) {
            ++pos;
            const QChar c = pos < signature.size() ? signature.at(pos) : QChar();
            if (c == close) {
                if (--depth == 0)
                    break;
            } else if (c == open) {
                ++depth;
            }
        }
        return pos;
    };
    while (position < signature.size()) {
        const QChar symbol = signature.at(position);
        if (symbol == u':')
            break;
        switch (symbol.unicode()) {
        case u's':
        case u'n':
        case u'b':
        case u'l':
        case u'o':
        case u'a':
        case u'f':
        case u'j':
        case u'x':
            param.type = char(symbol.unicode());
            next();
            break;
        case u'-':
            if (prev >= 0) {
                sig->params[size_t(prev)].context = true;
                sig->params[size_t(prev)].quant = '?';
            }
            break;
        case u'?':
        case u'+':
            if (prev >= 0)
                sig->params[size_t(prev)].quant = char(symbol.unicode());
            break;
        case u'(': {
            const int endParen = findClosing(position, u'(', u')');
            const QString choice = signature.mid(position + 1, endParen - position - 1);
            if (choice.contains(u'<'))
                raise(JsonataError(u"S0402"_s, position).withValue(Value(choice)));
            param.type = '(';
            param.choice = choice;
            position = endParen;
            next();
            break;
        }
        case u'<': {
            const char prevType = prev >= 0 ? sig->params[size_t(prev)].type : 0;
            if (prevType == 'a' || prevType == 'f') {
                const int endPos = findClosing(position, u'<', u'>');
                sig->params[size_t(prev)].subtype = signature.mid(position + 1, endPos - position - 1);
                position = endPos;
            } else {
                raise(JsonataError(u"S0401"_s, position).withValue(Value(QString(QLatin1Char(prevType)))));
            }
            break;
        }
        default:
            break;
        }
        ++position;
    }
    return sig;
}

// JavaScript regex syntax → PCRE2: \uXXXX, [^] and [], and `$` (end of input unless multiline).
std::shared_ptr<const RegexData> compileRegex(const QString &pattern, const QString &flags, int position)
{
    const bool multiline = flags.contains(u'm');
    QString out;
    out.reserve(pattern.size() + 8);
    bool inClass = false;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == u'\\' && i + 1 < pattern.size()) {
            const QChar n = pattern.at(i + 1);
            if (n == u'u' && i + 5 < pattern.size()) {
                bool ok = false;
                const uint cp = pattern.mid(i + 2, 4).toUInt(&ok, 16);
                if (ok) {
                    out += u"\\x{"_s + QString::number(cp, 16) + u'}';
                    i += 5;
                    continue;
                }
            }
            if (n == u'd' || n == u'D') {
                // JavaScript \d is ASCII only; PCRE's is too without UCP, keep as is
            }
            out += c;
            out += n;
            ++i;
            continue;
        }
        if (!inClass) {
            if (c == u'[') {
                if (pattern.mid(i, 3) == u"[^]"_s) {
                    out += u"[\\s\\S]"_s;
                    i += 2;
                    continue;
                }
                if (pattern.mid(i, 2) == u"[]"_s) {
                    out += u"(?!)"_s;
                    i += 1;
                    continue;
                }
                inClass = true;
                out += c;
                // a ']' right after '[' or '[^' is literal in PCRE but closes the class in JS;
                // the cases above handle the empty classes
                continue;
            }
            if (c == u'$' && !multiline) {
                out += u"(?!(?s:.))"_s;
                continue;
            }
            out += c;
        } else {
            if (c == u']')
                inClass = false;
            if (c == u'[') {
                out += u"\\["_s;
                continue;
            }
            out += c;
        }
    }
    QRegularExpression::PatternOptions opts = QRegularExpression::NoPatternOption;
    if (flags.contains(u'i'))
        opts |= QRegularExpression::CaseInsensitiveOption;
    if (multiline)
        opts |= QRegularExpression::MultilineOption;
    auto data = std::make_shared<RegexData>();
    data->source = pattern;
    data->re = QRegularExpression(out, opts);
    if (!data->re.isValid())
        raise(JsonataError(u"S0303"_s, position).withValue(Value(pattern)).withToken(data->re.errorString()));
    data->re.optimize();
    return data;
}

} // namespace lifdag::jsonata::detail
