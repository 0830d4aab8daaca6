// Number and date/time formatting: $formatNumber (XPath pictures), $formatBase, $formatInteger,
// $parseInteger, $fromMillis, $toMillis, and JavaScript's toFixed/toPrecision/Math.round.
#include "function_p.h"

#include <QRegularExpression>

#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace lifdag::jsonata::detail {

using namespace Qt::StringLiterals;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double jsMathRound(double x)
{
    if (!std::isfinite(x))
        return x;
    double r = std::floor(x);
    if (x - r >= 0.5)
        r += 1;
    return r;
}

// "+(a + 'e' + b)" where a is the mantissa text of a number's JavaScript string form
double shiftDecimal(double value, int shift)
{
    const QString s = jsNumberToString(value);
    const qsizetype e = s.indexOf(u'e');
    QString mant = e < 0 ? s : s.left(e);
    const int exp = e < 0 ? 0 : s.mid(e + 1).toInt();
    return QString(mant + u'e' + QString::number(exp + shift)).toDouble();
}
} // namespace

double roundHalfEven(double arg, int precision)
{
    if (precision)
        arg = shiftDecimal(arg, precision);
    double result = jsMathRound(arg);
    const double diff = result - arg;
    if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1)
        result = result - 1;
    if (precision)
        result = shiftDecimal(result, -precision);
    if (result == 0)
        result = 0; // no negative zero
    return result;
}

QString jsToPrecision(double v, int digits)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
    return QString::fromLatin1(buf);
}

QString jsToFixed(double x, int f)
{
    if (!std::isfinite(x))
        return jsNumberToString(x);
    if (std::fabs(x) >= 1e21)
        return jsNumberToString(x);
    const bool neg = x < 0;
    const double ax = std::fabs(x);
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", f, ax);
    QString s = QString::fromLatin1(buf);
    // exact ties round away from zero in JavaScript; printf rounds them to even
    char wide[600];
    std::snprintf(wide, sizeof wide, "%.*f", f + 30, ax);
    const QByteArray w(wide);
    const qsizetype dot = w.indexOf('.');
    const qsizetype tiePos = dot + f + 1;
    if (dot >= 0 && tiePos < w.size() && w.at(tiePos) == '5') {
        bool zeros = true;
        for (qsizetype i = tiePos + 1; i < w.size(); ++i) {
            if (w.at(i) != '0') {
                zeros = false;
                break;
            }
        }
        if (zeros) {
            // add one unit in the last place of the truncated value
            QByteArray t = w.left(f > 0 ? tiePos : dot);
            qsizetype i = t.size() - 1;
            for (;;) {
                if (i < 0) {
                    t.prepend('1');
                    break;
                }
                if (t.at(i) == '.') {
                    --i;
                    continue;
                }
                if (t.at(i) == '9') {
                    t[i] = '0';
                    --i;
                    continue;
                }
                t[i] = char(t.at(i) + 1);
                break;
            }
            s = QString::fromLatin1(t);
        }
    }
    if (neg) {
        bool allZero = true;
        for (QChar c : s) {
            if (c != u'0' && c != u'.') {
                allZero = false;
                break;
            }
        }
        if (!allZero)
            s.prepend(u'-');
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// $formatNumber

namespace {

struct PictureParts
{
    QString prefix, suffix, activePart, mantissaPart, integerPart, fractionalPart, subpicture;
    bool hasExponent = false;
    QString exponentPart;
};

struct PictureVars
{
    std::vector<int> integerPartGroupingPositions;
    int regularGrouping = 0;
    int minimumIntegerPartSize = 0;
    int scalingFactor = 0;
    QString prefix;
    std::vector<int> fractionalPartGroupingPositions;
    int minimumFactionalPartSize = 0;
    int maximumFactionalPartSize = 0;
    int minimumExponentSize = 0;
    QString suffix;
    QString picture;
};

QString prop(const Value &options, const QString &key, const QString &def)
{
    const Value v = options.member(key);
    if (v.isString())
        return v.toStr();
    if (v.isDefined())
        return toJsString(v);
    return def;
}

QString charAt(const QString &s, qsizetype i)
{
    return i >= 0 && i < s.size() ? QString(s.at(i)) : QString();
}

int gcdReduce(const std::vector<int> &v)
{
    int f = v[0];
    for (size_t i = 1; i < v.size(); ++i) {
        int a = f, b = v[i];
        while (b != 0) {
            const int t = a % b;
            a = b;
            b = t;
        }
        f = a;
    }
    return f;
}

} // namespace

QString formatNumberPicture(double value, const QString &picture, const Value &options)
{
    const QString decimalSep = prop(options, u"decimal-separator"_s, u"."_s);
    const QString groupingSep = prop(options, u"grouping-separator"_s, u","_s);
    const QString exponentSep = prop(options, u"exponent-separator"_s, u"e"_s);
    const QString minusSign = prop(options, u"minus-sign"_s, u"-"_s);
    const QString percent = prop(options, u"percent"_s, u"%"_s);
    const QString perMille = prop(options, u"per-mille"_s, u"\u2030"_s);
    const QString zeroDigit = prop(options, u"zero-digit"_s, u"0"_s);
    const QString digit = prop(options, u"digit"_s, u"#"_s);
    const QString patternSep = prop(options, u"pattern-separator"_s, u";"_s);

    QStringList family;
    const char16_t zeroCode = zeroDigit.isEmpty() ? u'0' : zeroDigit.at(0).unicode();
    for (int i = 0; i < 10; ++i)
        family << QString(QChar(char16_t(zeroCode + i)));
    QStringList active = family;
    active << decimalSep << exponentSep << groupingSep << digit << patternSep;
    auto isActive = [&](const QString &ch) {
        return active.contains(ch);
    };
    auto isDigitFamily = [&](const QString &ch) {
        return family.contains(ch);
    };

    const QStringList subPictures = picture.split(patternSep);
    if (subPictures.size() > 2)
        raise(JsonataError(u"D3080"_s));

    auto splitParts = [&](const QString &sub) {
        PictureParts p;
        p.subpicture = sub;
        for (qsizetype i = 0; i < sub.size(); ++i) {
            const QString ch = charAt(sub, i);
            if (isActive(ch) && ch != exponentSep) {
                p.prefix = sub.left(i);
                break;
            }
        }
        for (qsizetype i = sub.size() - 1; i >= 0; --i) {
            const QString ch = charAt(sub, i);
            if (isActive(ch) && ch != exponentSep) {
                p.suffix = sub.mid(i + 1);
                break;
            }
        }
        p.activePart = sub.mid(p.prefix.size(), sub.size() - p.prefix.size() - p.suffix.size());
        const qsizetype exponentPosition = sub.indexOf(exponentSep, p.prefix.size());
        if (exponentPosition == -1 || exponentPosition > sub.size() - p.suffix.size()) {
            p.mantissaPart = p.activePart;
        } else {
            p.mantissaPart = p.activePart.left(exponentPosition);
            p.hasExponent = true;
            p.exponentPart = p.activePart.mid(exponentPosition + 1);
        }
        const qsizetype decimalPosition = p.mantissaPart.indexOf(decimalSep);
        if (decimalPosition == -1) {
            p.integerPart = p.mantissaPart;
            p.fractionalPart = p.suffix;
        } else {
            p.integerPart = p.mantissaPart.left(decimalPosition);
            p.fractionalPart = p.mantissaPart.mid(decimalPosition + 1);
        }
        return p;
    };

    auto validate = [&](const PictureParts &parts) {
        QString error;
        const QString &sub = parts.subpicture;
        const qsizetype decimalPos = sub.indexOf(decimalSep);
        if (decimalPos != sub.lastIndexOf(decimalSep))
            error = u"D3081"_s;
        if (sub.indexOf(percent) != sub.lastIndexOf(percent))
            error = u"D3082"_s;
        if (sub.indexOf(perMille) != sub.lastIndexOf(perMille))
            error = u"D3083"_s;
        if (sub.indexOf(percent) != -1 && sub.indexOf(perMille) != -1)
            error = u"D3084"_s;
        bool valid = false;
        for (qsizetype i = 0; i < parts.mantissaPart.size(); ++i) {
            const QString ch = charAt(parts.mantissaPart, i);
            if (isDigitFamily(ch) || ch == digit) {
                valid = true;
                break;
            }
        }
        if (!valid)
            error = u"D3085"_s;
        for (QChar c : parts.activePart) {
            if (!isActive(QString(c))) {
                error = u"D3086"_s;
                break;
            }
        }
        if (decimalPos != -1) {
            if (charAt(sub, decimalPos - 1) == groupingSep || charAt(sub, decimalPos + 1) == groupingSep)
                error = u"D3087"_s;
        } else if (charAt(parts.integerPart, parts.integerPart.size() - 1) == groupingSep) {
            error = u"D3088"_s;
        }
        if (sub.indexOf(groupingSep + groupingSep) != -1)
            error = u"D3089"_s;
        qsizetype optionalDigitPos = parts.integerPart.indexOf(digit);
        if (optionalDigitPos != -1) {
            for (QChar c : parts.integerPart.left(optionalDigitPos)) {
                if (isDigitFamily(QString(c))) {
                    error = u"D3090"_s;
                    break;
                }
            }
        }
        optionalDigitPos = parts.fractionalPart.lastIndexOf(digit);
        if (optionalDigitPos != -1) {
            for (QChar c : parts.fractionalPart.mid(optionalDigitPos)) {
                if (isDigitFamily(QString(c))) {
                    error = u"D3091"_s;
                    break;
                }
            }
        }
        if (parts.hasExponent && !parts.exponentPart.isEmpty()
            && (sub.indexOf(percent) != -1 || sub.indexOf(perMille) != -1))
            error = u"D3092"_s;
        if (parts.hasExponent) {
            bool bad = parts.exponentPart.isEmpty();
            for (QChar c : parts.exponentPart) {
                if (!isDigitFamily(QString(c)))
                    bad = true;
            }
            if (bad)
                error = u"D3093"_s;
        }
        if (!error.isEmpty())
            raise(JsonataError(error));
    };

    auto countIf = [&](const QString &s, bool withOptional) {
        int n = 0;
        for (QChar c : s) {
            const QString ch(c);
            if (isDigitFamily(ch) || (withOptional && ch == digit))
                ++n;
        }
        return n;
    };

    auto analyse = [&](const PictureParts &parts) {
        auto groupingPositions = [&](const QString &part, bool toLeft) {
            std::vector<int> positions;
            qsizetype groupingPosition = part.indexOf(groupingSep);
            while (groupingPosition != -1) {
                const QString seg = toLeft ? part.left(groupingPosition) : part.mid(groupingPosition);
                positions.push_back(countIf(seg, true));
                groupingPosition = parts.integerPart.indexOf(groupingSep, groupingPosition + 1);
            }
            return positions;
        };
        PictureVars v;
        v.integerPartGroupingPositions = groupingPositions(parts.integerPart, false);
        if (!v.integerPartGroupingPositions.empty()) {
            const int factor = gcdReduce(v.integerPartGroupingPositions);
            bool regular = factor != 0;
            for (size_t index = 1; regular && index <= v.integerPartGroupingPositions.size(); ++index) {
                if (std::find(v.integerPartGroupingPositions.begin(), v.integerPartGroupingPositions.end(),
                              int(index) * factor)
                    == v.integerPartGroupingPositions.end())
                    regular = false;
            }
            v.regularGrouping = regular ? factor : 0;
        }
        v.fractionalPartGroupingPositions = groupingPositions(parts.fractionalPart, true);
        v.minimumIntegerPartSize = countIf(parts.integerPart, false);
        v.scalingFactor = v.minimumIntegerPartSize;
        v.minimumFactionalPartSize = countIf(parts.fractionalPart, false);
        v.maximumFactionalPartSize = countIf(parts.fractionalPart, true);
        if (v.minimumIntegerPartSize == 0 && v.maximumFactionalPartSize == 0) {
            if (parts.hasExponent) {
                v.minimumFactionalPartSize = 1;
                v.maximumFactionalPartSize = 1;
            } else {
                v.minimumIntegerPartSize = 1;
            }
        }
        if (parts.hasExponent && v.minimumIntegerPartSize == 0 && parts.integerPart.indexOf(digit) != -1)
            v.minimumIntegerPartSize = 1;
        if (v.minimumIntegerPartSize == 0 && v.minimumFactionalPartSize == 0)
            v.minimumFactionalPartSize = 1;
        if (parts.hasExponent)
            v.minimumExponentSize = countIf(parts.exponentPart, false);
        v.prefix = parts.prefix;
        v.suffix = parts.suffix;
        v.picture = parts.subpicture;
        return v;
    };

    std::vector<PictureParts> parts;
    for (const QString &sp : subPictures)
        parts.push_back(splitParts(sp));
    for (const PictureParts &p : parts)
        validate(p);
    std::vector<PictureVars> variables;
    for (const PictureParts &p : parts)
        variables.push_back(analyse(p));
    if (variables.size() == 1) {
        PictureVars neg = variables[0];
        neg.prefix = minusSign + neg.prefix;
        variables.push_back(neg);
    }

    const PictureVars &pic = value >= 0 ? variables[0] : variables[1];
    double adjusted = value;
    if (pic.picture.indexOf(percent) != -1)
        adjusted = value * 100;
    else if (pic.picture.indexOf(perMille) != -1)
        adjusted = value * 1000;

    double mantissa = adjusted;
    bool hasExponent = false;
    int exponent = 0;
    if (pic.minimumExponentSize != 0) {
        hasExponent = true;
        const double maxMantissa = std::pow(10.0, pic.scalingFactor);
        const double minMantissa = std::pow(10.0, pic.scalingFactor - 1);
        if (mantissa != 0) {
            while (std::fabs(mantissa) < minMantissa) {
                mantissa *= 10;
                exponent -= 1;
            }
            while (std::fabs(mantissa) > maxMantissa) {
                mantissa /= 10;
                exponent += 1;
            }
        }
    }
    const double rounded = roundHalfEven(mantissa, pic.maximumFactionalPartSize);
    auto makeString = [&](double v, int dp) {
        QString s = jsToFixed(std::fabs(v), dp);
        if (zeroDigit != u"0"_s) {
            for (qsizetype i = 0; i < s.size(); ++i) {
                const QChar c = s.at(i);
                if (c >= u'0' && c <= u'9')
                    s[i] = QChar(char16_t(zeroCode + (c.unicode() - u'0')));
            }
        }
        return s;
    };
    QString sv = makeString(rounded, pic.maximumFactionalPartSize);
    const qsizetype dot = sv.indexOf(u'.');
    if (dot == -1)
        sv += decimalSep;
    else
        sv.replace(dot, 1, decimalSep);
    while (!sv.isEmpty() && charAt(sv, 0) == zeroDigit)
        sv.remove(0, 1);
    while (!sv.isEmpty() && charAt(sv, sv.size() - 1) == zeroDigit)
        sv.chop(1);
    qsizetype decimalPos = sv.indexOf(decimalSep);
    const qsizetype padLeft = pic.minimumIntegerPartSize - decimalPos;
    const qsizetype padRight = pic.minimumFactionalPartSize - (sv.size() - decimalPos - 1);
    if (padLeft > 0)
        sv.prepend(zeroDigit.repeated(padLeft));
    if (padRight > 0)
        sv.append(zeroDigit.repeated(padRight));
    decimalPos = sv.indexOf(decimalSep);
    if (pic.regularGrouping > 0) {
        const qsizetype groupCount = (decimalPos - 1) / pic.regularGrouping;
        for (qsizetype group = 1; group <= groupCount; ++group)
            sv.insert(decimalPos - group * pic.regularGrouping, groupingSep);
    } else {
        for (int pos : pic.integerPartGroupingPositions) {
            sv.insert(std::max<qsizetype>(0, decimalPos - pos), groupingSep);
            ++decimalPos;
        }
    }
    decimalPos = sv.indexOf(decimalSep);
    for (int pos : pic.fractionalPartGroupingPositions)
        sv.insert(std::min<qsizetype>(sv.size(), pos + decimalPos + 1), groupingSep);
    decimalPos = sv.indexOf(decimalSep);
    if (pic.picture.indexOf(decimalSep) == -1 || decimalPos == sv.size() - 1)
        sv.chop(1);
    if (hasExponent) {
        QString se = makeString(exponent, 0);
        const qsizetype pad = pic.minimumExponentSize - se.size();
        if (pad > 0)
            se.prepend(zeroDigit.repeated(pad));
        sv += exponentSep + (exponent < 0 ? minusSign : QString()) + se;
    }
    return pic.prefix + sv + pic.suffix;
}

// ---------------------------------------------------------------------------------------------
// $formatBase

QString formatBase(double value, double radixIn, bool hasRadix)
{
    value = roundHalfEven(value, 0);
    const double radix = hasRadix ? roundHalfEven(radixIn, 0) : 10;
    if (!(radix >= 2 && radix <= 36))
        raise(JsonataError(u"D3100"_s).withValue(Value(radix)));
    if (!std::isfinite(value))
        return jsNumberToString(value);
    const int r = int(radix);
    const bool neg = value < 0;
    double v = std::fabs(value);
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    QString out;
    if (v == 0)
        out = u"0"_s;
    while (v >= 1) {
        const double d = std::fmod(v, r);
        out.prepend(QLatin1Char(digits[int(d)]));
        v = std::floor(v / r);
    }
    if (neg)
        out.prepend(u'-');
    return out;
}

// ---------------------------------------------------------------------------------------------
// integers in words, roman numerals and letters

namespace {

const char *const kFew[] = { "Zero",     "One",     "Two",     "Three",     "Four",     "Five",    "Six",
                             "Seven",    "Eight",   "Nine",    "Ten",       "Eleven",   "Twelve",  "Thirteen",
                             "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen" };
const char *const kOrdinals[] = { "Zeroth",    "First",     "Second",      "Third",      "Fourth",
                                  "Fifth",     "Sixth",     "Seventh",     "Eighth",     "Ninth",
                                  "Tenth",     "Eleventh",  "Twelfth",     "Thirteenth", "Fourteenth",
                                  "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth" };
const char *const kDecades[] = { "Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                 "Seventy", "Eighty", "Ninety", "Hundred" };
const char *const kMagnitudes[] = { "Thousand", "Million", "Billion", "Trillion" };

QString numberToWords(double value, bool ordinal)
{
    std::function<QString(double, bool, bool)> lookup = [&](double num, bool prev, bool ord) -> QString {
        QString words;
        if (num <= 19) {
            words = (prev ? u" and "_s : QString())
                + QString::fromLatin1(ord ? kOrdinals[int(num)] : kFew[int(num)]);
        } else if (num < 100) {
            const int tens = int(std::floor(num / 10));
            const double remainder = std::fmod(num, 10);
            words = (prev ? u" and "_s : QString()) + QString::fromLatin1(kDecades[tens - 2]);
            if (remainder > 0)
                words += u'-' + lookup(remainder, false, ord);
            else if (ord)
                words = words.left(words.size() - 1) + u"ieth"_s;
        } else if (num < 1000) {
            const int hundreds = int(std::floor(num / 100));
            const double remainder = std::fmod(num, 100);
            words = (prev ? u", "_s : QString()) + QString::fromLatin1(kFew[hundreds]) + u" Hundred"_s;
            if (remainder > 0)
                words += lookup(remainder, true, ord);
            else if (ord)
                words += u"th"_s;
        } else {
            int mag = int(std::floor(std::log10(num) / 3));
            if (mag > 4)
                mag = 4;
            const double factor = std::pow(10.0, mag * 3);
            const double mant = std::floor(num / factor);
            const double remainder = num - mant * factor;
            words = (prev ? u", "_s : QString()) + lookup(mant, false, false) + u' '
                + QString::fromLatin1(kMagnitudes[mag - 1]);
            if (remainder > 0)
                words += lookup(remainder, true, ord);
            else if (ord)
                words += u"th"_s;
        }
        return words;
    };
    return lookup(value, false, ordinal);
}

const QHash<QString, double> &wordValues()
{
    static const QHash<QString, double> table = [] {
        QHash<QString, double> t;
        for (int i = 0; i < 20; ++i) {
            t.insert(QString::fromLatin1(kFew[i]).toLower(), i);
            t.insert(QString::fromLatin1(kOrdinals[i]).toLower(), i);
        }
        for (int i = 0; i < 9; ++i) {
            const QString w = QString::fromLatin1(kDecades[i]).toLower();
            t.insert(w, (i + 2) * 10);
            t.insert(w.left(w.size() - 1) + u"ieth"_s, (i + 2) * 10);
        }
        t.insert(u"hundredth"_s, 100);
        for (int i = 0; i < 4; ++i) {
            const QString w = QString::fromLatin1(kMagnitudes[i]).toLower();
            const double v = std::pow(10.0, (i + 1) * 3);
            t.insert(w, v);
            t.insert(w + u"th"_s, v);
        }
        return t;
    }();
    return table;
}

double wordsToNumber(const QString &text)
{
    static const QRegularExpression sep(u",\\s|\\sand\\s|[\\s\\\\-]"_s);
    const QStringList parts = text.split(sep);
    std::vector<double> segs { 0 };
    for (const QString &part : parts) {
        auto it = wordValues().constFind(part);
        const double value = it == wordValues().cend() ? kNaN : *it;
        if (value < 100) {
            double top = segs.back();
            segs.pop_back();
            if (top >= 1000) {
                segs.push_back(top);
                top = 0;
            }
            segs.push_back(top + value);
        } else {
            const double top = segs.back();
            segs.pop_back();
            segs.push_back(top * value);
        }
    }
    return std::accumulate(segs.begin(), segs.end(), 0.0);
}

QString decimalToRoman(double value)
{
    if (value > 1e9)
        raise(JsonataError(u"D1001"_s).withValue(Value(value)));
    static const std::pair<int, const char *> numerals[] = {
        { 1000, "m" }, { 900, "cm" }, { 500, "d" }, { 400, "cd" }, { 100, "c" }, { 90, "xc" }, { 50, "l" },
        { 40, "xl" },  { 10, "x" },   { 9, "ix" },  { 5, "v" },    { 4, "iv" },  { 1, "i" }
    };
    QString out;
    while (value >= 1) {
        bool found = false;
        for (const auto &[n, s] : numerals) {
            if (value >= n) {
                out += QString::fromLatin1(s);
                value -= n;
                found = true;
                break;
            }
        }
        if (!found)
            break;
    }
    return out;
}

double romanToDecimal(const QString &roman)
{
    static const QHash<QChar, double> values = { { u'M', 1000 }, { u'D', 500 }, { u'C', 100 }, { u'L', 50 },
                                                 { u'X', 10 },   { u'V', 5 },   { u'I', 1 } };
    double decimal = 0;
    double max = 1;
    for (qsizetype i = roman.size() - 1; i >= 0; --i) {
        auto it = values.constFind(roman.at(i));
        const double value = it == values.cend() ? kNaN : *it;
        if (value < max) {
            decimal -= value;
        } else {
            max = value;
            decimal += value;
        }
        if (value != value) {
            decimal = kNaN;
        }
    }
    return decimal;
}

QString decimalToLetters(double value, QChar aChar)
{
    QString letters;
    const int aCode = aChar.unicode();
    while (value > 0) {
        letters.prepend(QChar(char16_t(int(std::fmod(value - 1, 26)) + aCode)));
        value = std::floor((value - 1) / 26);
    }
    return letters;
}

double lettersToDecimal(const QString &letters, QChar aChar)
{
    const int aCode = aChar.unicode();
    double decimal = 0;
    for (qsizetype i = 0; i < letters.size(); ++i)
        decimal += (letters.at(letters.size() - i - 1).unicode() - aCode + 1) * std::pow(26.0, double(i));
    return decimal;
}

enum class Primary { Decimal, Letters, Roman, Words, Sequence };
enum class Case { Upper, Lower, Title };

struct Separator
{
    int position;
    QString character;
};

struct IntegerFormat
{
    Primary primary = Primary::Decimal;
    Case tcase = Case::Lower;
    bool ordinal = false;
    char32_t zeroCode = 0x30;
    int mandatoryDigits = 0;
    int optionalDigits = 0;
    bool regular = false;
    Separator regularSeparator { 0, {} };
    std::vector<Separator> groupingSeparators;
    QString token;
    int parseWidth = 0; // 0 = not fixed
};

const char32_t kDecimalGroups[] = { 0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                    0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
                                    0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
                                    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
                                    0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10 };

IntegerFormat analyseIntegerPicture(const QString &picture)
{
    IntegerFormat format;
    QString primaryFormat = picture;
    const qsizetype semicolon = picture.lastIndexOf(u';');
    if (semicolon != -1) {
        primaryFormat = picture.left(semicolon);
        const QString modifier = picture.mid(semicolon + 1);
        if (modifier.startsWith(u'o'))
            format.ordinal = true;
    }
    if (primaryFormat == u"A"_s) {
        format.tcase = Case::Upper;
        format.primary = Primary::Letters;
    } else if (primaryFormat == u"a"_s) {
        format.primary = Primary::Letters;
    } else if (primaryFormat == u"I"_s) {
        format.tcase = Case::Upper;
        format.primary = Primary::Roman;
    } else if (primaryFormat == u"i"_s) {
        format.primary = Primary::Roman;
    } else if (primaryFormat == u"W"_s) {
        format.tcase = Case::Upper;
        format.primary = Primary::Words;
    } else if (primaryFormat == u"Ww"_s) {
        format.tcase = Case::Title;
        format.primary = Primary::Words;
    } else if (primaryFormat == u"w"_s) {
        format.primary = Primary::Words;
    } else {
        bool haveZero = false;
        char32_t zeroCode = 0;
        int mandatory = 0;
        int optional = 0;
        std::vector<Separator> separators;
        int separatorPosition = 0;
        std::vector<char32_t> cps = toCodePoints(primaryFormat);
        std::reverse(cps.begin(), cps.end());
        for (char32_t cp : cps) {
            bool isDigit = false;
            for (char32_t group : kDecimalGroups) {
                if (cp >= group && cp <= group + 9) {
                    isDigit = true;
                    ++mandatory;
                    ++separatorPosition;
                    if (!haveZero) {
                        zeroCode = group;
                        haveZero = true;
                    } else if (group != zeroCode) {
                        raise(JsonataError(u"D3131"_s));
                    }
                    break;
                }
            }
            if (!isDigit) {
                if (cp == 0x23) {
                    ++separatorPosition;
                    ++optional;
                } else {
                    separators.push_back(Separator { separatorPosition, QString::fromUcs4(&cp, 1) });
                }
            }
        }
        if (mandatory > 0) {
            format.primary = Primary::Decimal;
            format.zeroCode = zeroCode;
            format.mandatoryDigits = mandatory;
            format.optionalDigits = optional;
            int regular = 0;
            if (!separators.empty()) {
                bool same = true;
                for (const Separator &s : separators)
                    same = same && s.character == separators[0].character;
                if (same) {
                    std::vector<int> idx;
                    for (const Separator &s : separators)
                        idx.push_back(s.position);
                    const int factor = gcdReduce(idx);
                    regular = factor;
                    for (size_t index = 1; index <= idx.size(); ++index) {
                        if (std::find(idx.begin(), idx.end(), int(index) * factor) == idx.end()) {
                            regular = 0;
                            break;
                        }
                    }
                }
            }
            if (regular > 0) {
                format.regular = true;
                format.regularSeparator = Separator { regular, separators[0].character };
            } else {
                format.regular = false;
                format.groupingSeparators = separators;
            }
        } else {
            format.primary = Primary::Sequence;
            format.token = primaryFormat;
        }
    }
    return format;
}

QString formatIntegerWith(double value, const IntegerFormat &format)
{
    QString formatted;
    const bool negative = value < 0;
    value = std::fabs(value);
    switch (format.primary) {
    case Primary::Letters:
        formatted = decimalToLetters(value, format.tcase == Case::Upper ? u'A' : u'a');
        break;
    case Primary::Roman:
        formatted = decimalToRoman(value);
        if (format.tcase == Case::Upper)
            formatted = formatted.toUpper();
        break;
    case Primary::Words:
        formatted = numberToWords(value, format.ordinal);
        if (format.tcase == Case::Upper)
            formatted = formatted.toUpper();
        else if (format.tcase == Case::Lower)
            formatted = formatted.toLower();
        break;
    case Primary::Decimal: {
        formatted =
            std::isfinite(value) ? jsNumberToString(value) : (value != value ? u"NaN"_s : u"Infinity"_s);
        const qsizetype padLength = format.mandatoryDigits - formatted.size();
        if (padLength > 0)
            formatted.prepend(QString(padLength, u'0'));
        if (format.zeroCode != 0x30) {
            std::vector<char32_t> cps = toCodePoints(formatted);
            for (char32_t &c : cps)
                c = c + format.zeroCode - 0x30;
            formatted = fromCodePoints(cps.data(), qsizetype(cps.size()));
        }
        if (format.regular) {
            const qsizetype n = (formatted.size() - 1) / format.regularSeparator.position;
            for (qsizetype ii = n; ii > 0; --ii) {
                const qsizetype pos = formatted.size() - ii * format.regularSeparator.position;
                formatted.insert(pos, format.regularSeparator.character);
            }
        } else {
            for (auto it = format.groupingSeparators.rbegin(); it != format.groupingSeparators.rend(); ++it) {
                const qsizetype pos = formatted.size() - it->position;
                formatted.insert(std::max<qsizetype>(0, pos), it->character);
            }
        }
        if (format.ordinal) {
            const QChar last = formatted.isEmpty() ? QChar() : formatted.back();
            QString suffix = last == u'1' ? u"st"_s
                : last == u'2'            ? u"nd"_s
                : last == u'3'            ? u"rd"_s
                                          : QString();
            if (suffix.isEmpty() || (formatted.size() > 1 && formatted.at(formatted.size() - 2) == u'1'))
                suffix = u"th"_s;
            formatted += suffix;
        }
        break;
    }
    case Primary::Sequence:
        raise(JsonataError(u"D3130"_s).withValue(Value(format.token)));
    }
    if (negative)
        formatted.prepend(u'-');
    return formatted;
}

} // namespace

QString formatInteger(double value, const QString &picture)
{
    value = std::floor(value);
    return formatIntegerWith(value, analyseIntegerPicture(picture));
}

namespace {

// regex + parser for $parseInteger and date/time parsing
struct Matcher
{
    QString regex;
    std::function<double(const QString &)> parse;
};

Matcher integerMatcher(const IntegerFormat &format)
{
    Matcher m;
    const bool isUpper = format.tcase == Case::Upper;
    switch (format.primary) {
    case Primary::Letters:
        m.regex = isUpper ? u"[A-Z]+"_s : u"[a-z]+"_s;
        m.parse = [isUpper](const QString &v) {
            return lettersToDecimal(v, isUpper ? u'A' : u'a');
        };
        break;
    case Primary::Roman:
        m.regex = isUpper ? u"[MDCLXVI]+"_s : u"[mdclxvi]+"_s;
        m.parse = [isUpper](const QString &v) {
            return romanToDecimal(isUpper ? v : v.toUpper());
        };
        break;
    case Primary::Words: {
        QStringList alts = wordValues().keys();
        alts << u"and"_s << u"[\\-, ]"_s;
        m.regex = u"(?:"_s + alts.join(u'|') + u")+"_s;
        m.parse = [](const QString &v) {
            return wordsToNumber(v.toLower());
        };
        break;
    }
    case Primary::Decimal: {
        m.regex = u"[0-9]"_s;
        if (format.parseWidth > 0)
            m.regex += u'{' + QString::number(format.parseWidth) + u'}';
        else
            m.regex += u'+';
        if (format.ordinal)
            m.regex += u"(?:th|st|nd|rd)"_s;
        m.parse = [format](const QString &value) {
            QString digits = value;
            if (format.ordinal)
                digits = digits.left(digits.size() - 2);
            if (format.regular) {
                digits.remove(u',');
            } else {
                for (const Separator &s : format.groupingSeparators)
                    digits.remove(s.character);
            }
            if (format.zeroCode != 0x30) {
                for (qsizetype i = 0; i < digits.size(); ++i)
                    digits[i] = QChar(char16_t(digits.at(i).unicode() - format.zeroCode + 0x30));
            }
            // parseInt
            qsizetype i = 0;
            while (i < digits.size() && digits.at(i).isSpace())
                ++i;
            bool neg = false;
            if (i < digits.size() && (digits.at(i) == u'-' || digits.at(i) == u'+')) {
                neg = digits.at(i) == u'-';
                ++i;
            }
            double v = 0;
            bool any = false;
            while (i < digits.size() && digits.at(i) >= u'0' && digits.at(i) <= u'9') {
                v = v * 10 + (digits.at(i).unicode() - u'0');
                any = true;
                ++i;
            }
            return any ? (neg ? -v : v) : kNaN;
        };
        break;
    }
    case Primary::Sequence:
        raise(JsonataError(u"D3130"_s).withValue(Value(format.token)));
    }
    return m;
}

} // namespace

Value parseInteger(const QString &value, const QString &picture)
{
    const IntegerFormat format = analyseIntegerPicture(picture);
    const Matcher m = integerMatcher(format);
    return Value(m.parse(value));
}

// ---------------------------------------------------------------------------------------------
// date/time

namespace {

constexpr double kMillisPerDay = 86400000.0;

// days since 1970-01-01 of a proleptic Gregorian date (month 1..12)
double daysFromCivil(double y, double m, double d)
{
    y -= m <= 2 ? 1 : 0;
    const double era = std::floor(y / 400);
    const double yoe = y - era * 400;
    const double mp = std::fmod(m + 9, 12);
    const double doy = std::floor((153 * mp + 2) / 5) + d - 1;
    const double doe = yoe * 365 + std::floor(yoe / 4) - std::floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

// JavaScript Date.UTC (month 0-based, overflow normalised; two-digit years are 19xx)
double dateUTC(double year, double month, double day = 1, double h = 0, double mi = 0, double s = 0,
               double ms = 0)
{
    if (!std::isfinite(year) || !std::isfinite(month) || !std::isfinite(day) || !std::isfinite(h)
        || !std::isfinite(mi) || !std::isfinite(s) || !std::isfinite(ms))
        return kNaN;
    year = std::trunc(year);
    if (year >= 0 && year <= 99)
        year += 1900;
    month = std::trunc(month);
    const double ym = year + std::floor(month / 12);
    const double mn = std::fmod(month, 12);
    const double mm = mn < 0 ? mn + 12 : mn;
    const double days = daysFromCivil(ym, mm + 1, 1) + std::trunc(day) - 1;
    return days * kMillisPerDay + std::trunc(h) * 3600000.0 + std::trunc(mi) * 60000.0
        + std::trunc(s) * 1000.0 + std::trunc(ms);
}

struct DateParts
{
    double millis;
    double year, month, day, hours, minutes, seconds, ms, weekday; // month 0-11, weekday 0=Sunday
};

// The UTC fields of a time value; all NaN for an invalid date (beyond +-8.64e15 ms), as in JavaScript.
DateParts breakDown(double millis)
{
    DateParts p {};
    p.millis = millis;
    if (!(std::fabs(millis) <= 8.64e15)) {
        p.year = p.month = p.day = p.hours = p.minutes = p.seconds = p.ms = p.weekday = kNaN;
        return p;
    }
    const double days = std::floor(millis / kMillisPerDay);
    double rem = millis - days * kMillisPerDay;
    // civil from days (Hinnant)
    const double z = days + 719468;
    const double era = std::floor(z / 146097);
    const double doe = z - era * 146097;
    const double yoe =
        std::floor((doe - std::floor(doe / 1460) + std::floor(doe / 36524) - std::floor(doe / 146096)) / 365);
    const double y = yoe + era * 400;
    const double doy = doe - (365 * yoe + std::floor(yoe / 4) - std::floor(yoe / 100));
    const double mp = std::floor((5 * doy + 2) / 153);
    const double d = doy - std::floor((153 * mp + 2) / 5) + 1;
    const double m = mp < 10 ? mp + 3 : mp - 9;
    p.year = y + (m <= 2 ? 1 : 0);
    p.month = m - 1;
    p.day = d;
    p.hours = std::floor(rem / 3600000.0);
    rem -= p.hours * 3600000.0;
    p.minutes = std::floor(rem / 60000.0);
    rem -= p.minutes * 60000.0;
    p.seconds = std::floor(rem / 1000.0);
    rem -= p.seconds * 1000.0;
    p.ms = std::floor(rem);
    double wd = std::fmod(days + 4, 7);
    if (wd < 0)
        wd += 7;
    p.weekday = wd;
    return p;
}

const char *const kDays[] = {
    "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};
const char *const kMonths[] = { "January", "February", "March",     "April",   "May",      "June",
                                "July",    "August",   "September", "October", "November", "December" };

double startOfFirstWeek(double year, double month)
{
    const double jan1 = dateUTC(year, month);
    int dayOfJan1 = clampToInt(breakDown(jan1).weekday, 0, 6);
    if (dayOfJan1 == 0)
        dayOfJan1 = 7;
    return dayOfJan1 > 4 ? jan1 + (8 - dayOfJan1) * kMillisPerDay : jan1 - (dayOfJan1 - 1) * kMillisPerDay;
}

double deltaWeeks(double start, double end)
{
    return (end - start) / (kMillisPerDay * 7) + 1;
}

// component value: numbers, or strings for P/C/E; undefined for Z/z
Value dateTimeFragment(double millis, QChar component)
{
    const DateParts d = breakDown(millis);
    switch (component.unicode()) {
    case u'Y':
        return Value(d.year);
    case u'M':
        return Value(d.month + 1);
    case u'D':
        return Value(d.day);
    case u'd': {
        const double today = dateUTC(d.year, d.month, d.day);
        const double firstJan = dateUTC(d.year, 0);
        return Value((today - firstJan) / kMillisPerDay + 1);
    }
    case u'F':
        return Value(d.weekday == 0 ? 7 : d.weekday);
    case u'W': {
        const double startOfWeek1 = startOfFirstWeek(d.year, 0);
        const double today = dateUTC(d.year, d.month, d.day);
        double week = deltaWeeks(startOfWeek1, today);
        if (week > 52) {
            if (today >= startOfFirstWeek(d.year + 1, 0))
                week = 1;
        } else if (week < 1) {
            week = deltaWeeks(startOfFirstWeek(d.year - 1, 0), today);
        }
        return Value(std::floor(week));
    }
    case u'w': {
        const double startOfWeek1 = startOfFirstWeek(d.year, d.month);
        const double today = dateUTC(d.year, d.month, d.day);
        double week = deltaWeeks(startOfWeek1, today);
        if (week > 4) {
            const double ny = d.month == 11 ? d.year + 1 : d.year;
            const double nm = d.month == 11 ? 0 : d.month + 1;
            if (today >= startOfFirstWeek(ny, nm))
                week = 1;
        } else if (week < 1) {
            const double py = d.month == 0 ? d.year - 1 : d.year;
            const double pm = d.month == 0 ? 11 : d.month - 1;
            week = deltaWeeks(startOfFirstWeek(py, pm), today);
        }
        return Value(std::floor(week));
    }
    case u'X': {
        const double startOfISOYear = startOfFirstWeek(d.year, 0);
        const double endOfISOYear = startOfFirstWeek(d.year + 1, 0);
        if (millis < startOfISOYear)
            return Value(d.year - 1);
        if (millis >= endOfISOYear)
            return Value(d.year + 1);
        return Value(d.year);
    }
    case u'x': {
        const double startOfISOMonth = startOfFirstWeek(d.year, d.month);
        const double ny = d.month == 11 ? d.year + 1 : d.year;
        const double nm = d.month == 11 ? 0 : d.month + 1;
        const double endOfISOMonth = startOfFirstWeek(ny, nm);
        if (millis < startOfISOMonth)
            return Value((d.month == 0 ? 11 : d.month - 1) + 1);
        if (millis >= endOfISOMonth)
            return Value(nm + 1);
        return Value(d.month + 1);
    }
    case u'H':
        return Value(d.hours);
    case u'h': {
        const double h = std::fmod(d.hours, 12);
        return Value(h == 0 ? 12 : h);
    }
    case u'P':
        return Value(d.hours >= 12 ? u"pm"_s : u"am"_s);
    case u'm':
        return Value(d.minutes);
    case u's':
        return Value(d.seconds);
    case u'f':
        return Value(d.ms);
    case u'C':
    case u'E':
        return Value(u"ISO"_s);
    default:
        return {};
    }
}

struct Width
{
    bool hasMin = false;
    double min = 0;
    bool hasMax = false;
    double max = 0;
};

struct PicturePart
{
    bool literal = true;
    QString value; // literal text
    QChar component;
    bool hasWidth = false;
    Width width;
    QString presentation1;
    QString presentation2;
    bool ordinal = false;
    bool hasNames = false;
    Case names = Case::Lower;
    bool hasIntegerFormat = false;
    IntegerFormat integerFormat;
    int n = -1;
};

std::vector<PicturePart> analyseDateTimePicture(const QString &picture)
{
    static const QHash<QChar, QString> defaults = {
        { u'Y', u"1"_s },     { u'M', u"1"_s },     { u'D', u"1"_s },  { u'd', u"1"_s },  { u'F', u"n"_s },
        { u'W', u"1"_s },     { u'w', u"1"_s },     { u'X', u"1"_s },  { u'x', u"1"_s },  { u'H', u"1"_s },
        { u'h', u"1"_s },     { u'P', u"n"_s },     { u'm', u"01"_s }, { u's', u"01"_s }, { u'f', u"1"_s },
        { u'Z', u"01:01"_s }, { u'z', u"01:01"_s }, { u'C', u"n"_s },  { u'E', u"n"_s }
    };
    std::vector<PicturePart> spec;
    auto addLiteral = [&](qsizetype start, qsizetype end) {
        if (end > start) {
            QString literal = picture.mid(start, end - start);
            literal.replace(u"]]"_s, u"]"_s);
            PicturePart p;
            p.value = literal;
            spec.push_back(p);
        }
    };
    qsizetype start = 0;
    qsizetype pos = 0;
    while (pos < picture.size()) {
        if (picture.at(pos) == u'[') {
            if (pos + 1 < picture.size() && picture.at(pos + 1) == u'[') {
                addLiteral(start, pos);
                PicturePart p;
                p.value = u"["_s;
                spec.push_back(p);
                pos += 2;
                start = pos;
                continue;
            }
            addLiteral(start, pos);
            start = pos;
            pos = picture.indexOf(u']', start);
            if (pos == -1)
                raise(JsonataError(u"D3135"_s));
            QString marker = picture.mid(start + 1, pos - start - 1);
            static const QRegularExpression ws(u"\\s+"_s);
            marker.remove(ws);
            PicturePart def;
            def.literal = false;
            def.component = marker.isEmpty() ? QChar() : marker.at(0);
            const qsizetype comma = marker.lastIndexOf(u',');
            QString presMod;
            if (comma != -1) {
                const QString widthMod = marker.mid(comma + 1);
                const qsizetype dash = widthMod.indexOf(u'-');
                QString minS, maxS;
                bool hasMaxS = false;
                if (dash == -1) {
                    minS = widthMod;
                } else {
                    minS = widthMod.left(dash);
                    maxS = widthMod.mid(dash + 1);
                    hasMaxS = true;
                }
                auto parseWidth = [](const QString &wm, bool present, bool *has, double *out) {
                    if (!present || wm == u"*"_s) {
                        *has = false;
                        return;
                    }
                    // parseInt
                    bool ok = false;
                    qsizetype i = 0;
                    while (i < wm.size() && wm.at(i).isDigit())
                        ++i;
                    const double v = wm.left(i).toDouble(&ok);
                    *has = true;
                    *out = ok ? v : kNaN;
                };
                def.hasWidth = true;
                parseWidth(minS, true, &def.width.hasMin, &def.width.min);
                parseWidth(maxS, hasMaxS, &def.width.hasMax, &def.width.max);
                presMod = marker.mid(1, comma - 1);
            } else {
                presMod = marker.mid(1);
            }
            if (presMod.size() == 1) {
                def.presentation1 = presMod;
            } else if (presMod.size() > 1) {
                const QChar lastChar = presMod.back();
                if (QStringView(u"atco").contains(lastChar)) {
                    def.presentation2 = QString(lastChar);
                    if (lastChar == u'o')
                        def.ordinal = true;
                    def.presentation1 = presMod.left(presMod.size() - 1);
                } else {
                    def.presentation1 = presMod;
                }
            } else {
                auto it = defaults.constFind(def.component);
                if (it == defaults.cend())
                    raise(JsonataError(u"D3132"_s).withValue(Value(QString(def.component))));
                def.presentation1 = *it;
            }
            if (def.presentation1.at(0) == u'n') {
                def.hasNames = true;
                def.names = Case::Lower;
            } else if (def.presentation1.at(0) == u'N') {
                def.hasNames = true;
                def.names = (def.presentation1.size() > 1 && def.presentation1.at(1) == u'n') ? Case::Title
                                                                                              : Case::Upper;
            } else if (QStringView(u"YMDdFWwXxHhmsf").contains(def.component)) {
                QString integerPattern = def.presentation1;
                if (!def.presentation2.isEmpty())
                    integerPattern += u';' + def.presentation2;
                def.hasIntegerFormat = true;
                def.integerFormat = analyseIntegerPicture(integerPattern);
                if (def.hasWidth && def.width.hasMin && def.integerFormat.mandatoryDigits < def.width.min)
                    def.integerFormat.mandatoryDigits = clampToInt(def.width.min, 0, 1000);
                if (def.component == u'Y') {
                    def.n = -1;
                    if (def.hasWidth && def.width.hasMax) {
                        def.n = clampToInt(def.width.max, 0, 1000);
                        def.integerFormat.mandatoryDigits = def.n;
                    } else {
                        const int w = def.integerFormat.mandatoryDigits + def.integerFormat.optionalDigits;
                        if (w >= 2)
                            def.n = w;
                    }
                }
                if (!spec.empty() && spec.back().hasIntegerFormat)
                    spec.back().integerFormat.parseWidth = spec.back().integerFormat.mandatoryDigits;
            }
            if (def.component == u'Z' || def.component == u'z') {
                def.hasIntegerFormat = true;
                def.integerFormat = analyseIntegerPicture(def.presentation1);
            }
            spec.push_back(def);
            start = pos + 1;
        }
        ++pos;
    }
    addLiteral(start, pos);
    return spec;
}

} // namespace

QString fromMillis(double millis, const QString *picture, const QString *timezone)
{
    double offsetHours = 0;
    double offsetMinutes = 0;
    if (timezone) {
        // parseInt of "+hhmm"
        const QString &tz = *timezone;
        qsizetype i = 0;
        while (i < tz.size() && tz.at(i).isSpace())
            ++i;
        bool neg = false;
        if (i < tz.size() && (tz.at(i) == u'-' || tz.at(i) == u'+')) {
            neg = tz.at(i) == u'-';
            ++i;
        }
        double v = 0;
        bool any = false;
        while (i < tz.size() && tz.at(i).isDigit()) {
            v = v * 10 + tz.at(i).digitValue();
            any = true;
            ++i;
        }
        const double offset = any ? (neg ? -v : v) : kNaN;
        offsetHours = std::floor(offset / 100);
        offsetMinutes = std::fmod(offset, 100);
    }
    static const std::vector<PicturePart> iso =
        analyseDateTimePicture(u"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"_s);
    const std::vector<PicturePart> spec = picture ? analyseDateTimePicture(*picture) : iso;
    const double offsetMillis = (60 * offsetHours + offsetMinutes) * 60 * 1000;
    const double dateTime = millis + offsetMillis;

    QString result;
    for (const PicturePart &part : spec) {
        if (part.literal) {
            result += part.value;
            continue;
        }
        Value componentValue = dateTimeFragment(dateTime, part.component);
        QString out;
        if (QStringView(u"YMDdFWwXxHhms").contains(part.component)) {
            double v = componentValue.toNumber();
            if (part.component == u'Y' && part.n != -1)
                v = std::fmod(v, std::pow(10.0, part.n));
            if (part.hasNames) {
                if (part.component == u'M' || part.component == u'x') {
                    const int idx = clampToInt(v, -1, 100) - 1;
                    out = idx >= 0 && idx < 12 ? QString::fromLatin1(kMonths[idx]) : u"undefined"_s;
                } else if (part.component == u'F') {
                    const int idx = clampToInt(v, -1, 100);
                    out = idx >= 1 && idx < 8 ? QString::fromLatin1(kDays[idx]) : u"undefined"_s;
                } else {
                    raise(JsonataError(u"D3133"_s).withValue(Value(QString(part.component))));
                }
                if (part.names == Case::Upper)
                    out = out.toUpper();
                else if (part.names == Case::Lower)
                    out = out.toLower();
                if (part.hasWidth && part.width.hasMax && out.size() > part.width.max)
                    out = out.left(clampToInt(part.width.max, 0, 1000));
            } else {
                out = formatIntegerWith(v, part.integerFormat);
            }
        } else if (part.component == u'f') {
            out = formatIntegerWith(componentValue.toNumber(), part.integerFormat);
        } else if (part.component == u'Z' || part.component == u'z') {
            const double offset = offsetHours * 100 + offsetMinutes;
            if (part.integerFormat.regular) {
                out = formatIntegerWith(offset, part.integerFormat);
            } else {
                const int numDigits = part.integerFormat.mandatoryDigits;
                if (numDigits == 1 || numDigits == 2) {
                    out = formatIntegerWith(offsetHours, part.integerFormat);
                    if (offsetMinutes != 0)
                        out += u':' + formatInteger(offsetMinutes, u"00"_s);
                } else if (numDigits == 3 || numDigits == 4) {
                    out = formatIntegerWith(offset, part.integerFormat);
                } else {
                    raise(JsonataError(u"D3134"_s).withValue(Value(numDigits)));
                }
            }
            if (offset >= 0)
                out.prepend(u'+');
            if (part.component == u'z')
                out.prepend(u"GMT"_s);
            if (offset == 0 && part.presentation2 == u"t"_s)
                out = u"Z"_s;
        } else if (part.component == u'P') {
            out = componentValue.isString() ? componentValue.toStr() : QString();
            if (part.hasNames && part.names == Case::Upper)
                out = out.toUpper();
        } else {
            out = componentValue.isString()
                ? componentValue.toStr()
                : (componentValue.isDefined() ? toJsString(componentValue) : u"undefined"_s);
        }
        result += out;
    }
    return result;
}

namespace {

double parseDateTime(const QString &timestamp, const QString &picture, double nowMillis,
                     bool *undefinedResult)
{
    const std::vector<PicturePart> spec = analyseDateTimePicture(picture);
    struct MPart
    {
        QString regex;
        std::function<double(const QString &)> parse;
        QChar component;
    };
    std::vector<MPart> parts;
    for (const PicturePart &part : spec) {
        MPart res;
        if (part.literal) {
            res.regex = QRegularExpression::escape(part.value);
        } else if (part.component == u'Z' || part.component == u'z') {
            const bool hasSep = part.integerFormat.regular;
            const QString sepChar = part.integerFormat.regularSeparator.character;
            res.regex = part.component == u'z' ? u"GMT"_s : QString();
            res.regex += u"[-+][0-9]+"_s;
            if (hasSep)
                res.regex += QRegularExpression::escape(sepChar) + u"[0-9]+"_s;
            const bool isZ = part.component == u'z';
            res.parse = [hasSep, sepChar, isZ](const QString &in) {
                QString value = isZ ? in.mid(3) : in;
                double offsetHours = 0;
                double offsetMinutes = 0;
                auto pint = [](const QString &s) {
                    bool ok = false;
                    const double v = s.toDouble(&ok);
                    return ok ? std::trunc(v) : kNaN;
                };
                if (hasSep) {
                    const qsizetype at = value.indexOf(sepChar);
                    offsetHours = pint(value.left(at));
                    offsetMinutes = pint(value.mid(at + 1));
                } else {
                    const qsizetype numdigits = value.size() - 1;
                    if (numdigits <= 2) {
                        offsetHours = pint(value);
                    } else {
                        offsetHours = pint(value.left(3));
                        offsetMinutes = pint(value.mid(3));
                    }
                }
                return offsetHours * 60 + offsetMinutes;
            };
        } else if (part.component == u'f') {
            res.regex = u"[0-9]+"_s;
            res.parse = [](const QString &v) {
                return QString(u"0."_s + v.left(3)).toDouble() * 1000;
            };
        } else if (part.hasIntegerFormat) {
            Matcher m = integerMatcher(part.integerFormat);
            res.regex = m.regex;
            res.parse = m.parse;
        } else {
            res.regex = u"[a-zA-Z]+"_s;
            QHash<QString, double> lookup;
            if (part.component == u'M' || part.component == u'x') {
                for (int i = 0; i < 12; ++i) {
                    const QString name = QString::fromLatin1(kMonths[i]);
                    lookup.insert(part.hasWidth && part.width.hasMax
                                      ? name.left(clampToInt(part.width.max, 0, 1000))
                                      : name,
                                  i + 1);
                }
            } else if (part.component == u'F') {
                for (int i = 1; i < 8; ++i) {
                    const QString name = QString::fromLatin1(kDays[i]);
                    lookup.insert(part.hasWidth && part.width.hasMax
                                      ? name.left(clampToInt(part.width.max, 0, 1000))
                                      : name,
                                  i);
                }
            } else if (part.component == u'P') {
                lookup = { { u"am"_s, 0 }, { u"AM"_s, 0 }, { u"pm"_s, 1 }, { u"PM"_s, 1 } };
            } else {
                raise(JsonataError(u"D3133"_s).withValue(Value(QString(part.component))));
            }
            res.parse = [lookup](const QString &v) {
                auto it = lookup.constFind(v);
                return it == lookup.cend() ? kNaN : *it;
            };
        }
        res.component = part.component;
        parts.push_back(res);
    }
    QString full = u"^"_s;
    for (const MPart &p : parts)
        full += u'(' + p.regex + u')';
    full += u'$';
    const QRegularExpression matcher(full, QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch info = matcher.match(timestamp);
    if (!info.hasMatch()) {
        *undefinedResult = true;
        return 0;
    }
    QHash<QChar, double> components;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].parse)
            components.insert(parts[i].component, parts[i].parse(info.captured(int(i + 1))));
    }
    if (components.isEmpty()) {
        *undefinedResult = true;
        return 0;
    }
    auto truthy = [&](QChar c) {
        auto it = components.constFind(c);
        return it != components.cend() && *it != 0 && *it == *it;
    };
    int mask = 0;
    auto shift = [&](bool bit) {
        mask = (mask << 1) + (bit ? 1 : 0);
    };
    auto isType = [&](int type) {
        return !(~type & mask) && !!(type & mask);
    };
    for (QChar c : u"YXMxWwdD"_s)
        shift(truthy(c));
    const bool dateA = isType(161);
    const bool dateB = !dateA && isType(130);
    const bool dateC = isType(84);
    const bool dateD = !dateC && isType(72);
    mask = 0;
    for (QChar c : u"PHhmsf"_s)
        shift(truthy(c));
    const bool timeA = isType(23);
    const bool timeB = !timeA && isType(47);
    const QString dateComps = dateB ? u"YD"_s : dateC ? u"XxwF"_s : dateD ? u"XWF"_s : u"YMD"_s;
    const QString timeComps = timeB ? u"Phmsf"_s : u"Hmsf"_s;
    const QString comps = dateComps + timeComps;
    bool startSpecified = false;
    bool endSpecified = false;
    for (QChar part : comps) {
        if (!components.contains(part)) {
            if (startSpecified) {
                components.insert(part, QStringView(u"MDd").contains(part) ? 1 : 0);
                endSpecified = true;
            } else {
                const Value v = dateTimeFragment(nowMillis, part);
                components.insert(
                    part, v.isNumber() ? v.toNumber() : (v.isString() && v.toStr() == u"pm"_s ? 1 : 0));
            }
        } else {
            startSpecified = true;
            if (endSpecified)
                raise(JsonataError(u"D3136"_s));
        }
    }
    double M = components.value(u'M');
    if (M > 0)
        M -= 1;
    else
        M = 0;
    double D = components.value(u'D');
    if (dateB) {
        const double firstJan = dateUTC(components.value(u'Y'), 0);
        const double offsetMillis = (components.value(u'd') - 1) * kMillisPerDay;
        const DateParts derived = breakDown(firstJan + offsetMillis);
        M = derived.month;
        D = derived.day;
    }
    if (dateC || dateD)
        raise(JsonataError(u"D3136"_s));
    double H = components.value(u'H');
    if (timeB) {
        const double h = components.value(u'h');
        H = h == 12 ? 0 : h;
        if (components.value(u'P') == 1)
            H += 12;
    }
    double millis = dateUTC(components.value(u'Y'), M, D, H, components.value(u'm'), components.value(u's'),
                            components.value(u'f'));
    if (truthy(u'Z'))
        millis -= components.value(u'Z') * 60 * 1000;
    else if (truthy(u'z'))
        millis -= components.value(u'z') * 60 * 1000;
    return millis;
}

double parseIso8601(const QString &ts, bool *valid)
{
    static const QRegularExpression re(
        u"^(\\d{4})(?:-([01]\\d))?(?:-([0-3]\\d))?(?:T([0-2]\\d):([0-5]\\d):([0-5]\\d))?(?:\\.(\\d+))?(?:([+-])([0-2]\\d):?([0-5]\\d)|(Z))?$"_s);
    const QRegularExpressionMatch m = re.match(ts);
    if (!m.hasMatch()) {
        *valid = false;
        return 0;
    }
    *valid = true;
    const double year = m.captured(1).toDouble();
    const double month = m.capturedLength(2) ? m.captured(2).toDouble() : 1;
    const double day = m.capturedLength(3) ? m.captured(3).toDouble() : 1;
    const bool hasTime = m.capturedLength(4) > 0;
    const double h = hasTime ? m.captured(4).toDouble() : 0;
    const double mi = hasTime ? m.captured(5).toDouble() : 0;
    const double s = hasTime ? m.captured(6).toDouble() : 0;
    double ms = 0;
    if (m.capturedLength(7)) {
        if (!hasTime)
            return kNaN; // a fraction needs a time
        ms = QString(u"0."_s + m.captured(7)).toDouble() * 1000;
        ms = std::floor(ms + 1e-9);
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || h > 24 || (h == 24 && (mi > 0 || s > 0 || ms > 0)))
        return kNaN;
    double millis = dateUTC(year, month - 1, day, h, mi, s, ms);
    if (m.capturedLength(8)) {
        const double off = m.captured(9).toDouble() * 60 + m.captured(10).toDouble();
        millis -= (m.captured(8) == u"-"_s ? -off : off) * 60000;
    }
    return millis;
}

} // namespace

Value toMillis(const QString &timestamp, const QString *picture, double nowMillis)
{
    if (!picture) {
        bool valid = false;
        const double ms = parseIso8601(timestamp, &valid);
        if (!valid)
            raise(JsonataError(u"D3110"_s).withValue(Value(timestamp)));
        return Value(ms);
    }
    bool undefinedResult = false;
    const double ms = parseDateTime(timestamp, *picture, nowMillis, &undefinedResult);
    if (undefinedResult)
        return {};
    return Value(ms);
}

} // namespace lifdag::jsonata::detail
