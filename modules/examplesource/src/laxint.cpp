#include "laxint_p.h"

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

namespace {
constexpr qsizetype kMaxIntLength = 4300; // CPython's int/str conversion limit, as jiter applies it

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

enum class Strict { Ok, Invalid, TooLong };

// A JSON integer spanning all of `s`: -?(0|[1-9][0-9]*).
Strict strictInt(QStringView s)
{
    qsizetype i = 0;
    if (i < s.size() && s[i] == u'-')
        ++i;
    if (i >= s.size())
        return Strict::Invalid;
    if (s[i] == u'0')
        return i + 1 == s.size() ? Strict::Ok : Strict::Invalid;
    if (!isDigit(s[i]))
        return Strict::Invalid;
    while (i < s.size() && isDigit(s[i]))
        ++i;
    if (i > kMaxIntLength)
        return Strict::TooLong;
    return i == s.size() ? Strict::Ok : Strict::Invalid;
}

// pydantic-core's strip_leading_zeros.
std::optional<QStringView> stripLeadingZeros(QStringView s)
{
    if (s.isEmpty())
        return std::nullopt;
    const QChar first = s[0];
    if (first != u'0')
        return (isDigit(first) || first == u'-') ? std::optional<QStringView>(s) : std::nullopt;
    for (qsizetype i = 1; i < s.size(); ++i) {
        const QChar c = s[i];
        if (c == u'0' || c == u'_')
            continue;
        if ((c >= u'1' && c <= u'9') || c == u'-')
            return s.sliced(i);
        if (c == u'.')
            return s.sliced(i - 1);
        return std::nullopt;
    }
    return s.sliced(s.size() - 1);
}

// pydantic-core's clean_int_str: the text a second strict parse gets, or nothing.
std::optional<QString> cleanIntText(const QString &text)
{
    const qsizetype lengthBefore = text.size();
    QStringView s = QStringView(text).trimmed();
    if (s.startsWith(u'+')) {
        if (s.sliced(1).startsWith(u'-'))
            return std::nullopt;
        s = s.sliced(1);
    }
    bool negative = false;
    if (s.startsWith(u'-')) {
        const QStringView rest = s.sliced(1);
        if (rest.startsWith(u'-') || rest.startsWith(u'+'))
            return std::nullopt;
        negative = true;
        s = rest;
    }
    const auto stripped = stripLeadingZeros(s);
    if (!stripped)
        return std::nullopt;
    s = *stripped;
    if (const qsizetype dot = s.indexOf(u'.'); dot >= 0) {
        const QStringView fraction = s.sliced(dot + 1);
        bool zeros = !fraction.isEmpty();
        for (QChar c : fraction)
            zeros = zeros && c == u'0';
        if (zeros)
            s = s.first(dot);
    }
    const QString sign = negative ? u"-"_s : QString();
    const bool underscoresValid =
        s.contains(u'_') && !s.startsWith(u'_') && !s.endsWith(u'_') && !s.contains(u"__"_s);
    if (underscoresValid)
        return sign + s.toString().remove(u'_');
    if (lengthBefore == s.size())
        return std::nullopt;
    return sign + s.toString();
}

LaxInt accepted(const QString &digits)
{
    LaxInt result;
    result.status = LaxInt::Status::Ok;
    result.digits = digits == u"-0"_s ? u"0"_s : digits;
    bool fits = false;
    const qint64 v = result.digits.toLongLong(&fits);
    if (fits)
        result.value = v;
    return result;
}
} // namespace

LaxInt parseLaxInt(const QString &text)
{
    switch (strictInt(text)) {
    case Strict::Ok:
        return accepted(text);
    case Strict::TooLong: {
        LaxInt result;
        result.status = LaxInt::Status::ParsingSize;
        return result;
    }
    case Strict::Invalid:
        break;
    }
    const auto cleaned = cleanIntText(text);
    if (cleaned && strictInt(*cleaned) == Strict::Ok)
        return accepted(*cleaned);
    return {};
}

int LaxInt::compare(qint64 other) const
{
    if (value)
        return *value < other ? -1 : (*value > other ? 1 : 0);
    return digits.startsWith(u'-') ? -1 : 1; // beyond 64 bits: smaller or larger than any qint64
}

QString LaxInt::errorType() const
{
    return status == Status::ParsingSize ? u"int_parsing_size"_s : u"int_parsing"_s;
}

QString LaxInt::errorMessage() const
{
    return status == Status::ParsingSize
        ? u"Unable to parse input string as an integer, exceeded maximum size"_s
        : u"Input should be a valid integer, unable to parse string as an integer"_s;
}

} // namespace lifdag::examplesource
