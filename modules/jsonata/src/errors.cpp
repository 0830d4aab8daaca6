// JSONata's error message catalogue (the reference implementation's texts, so messages match).
#include "error_p.h"

#include <QHash>

#include <cmath>

namespace lifdag::jsonata::detail {

using namespace Qt::StringLiterals;

namespace {
const QHash<QString, QString> &catalogue()
{
    static const QHash<QString, QString> table = {
        { u"S0101"_s, u"String literal must be terminated by a matching quote"_s },
        { u"S0102"_s, u"Number out of range: {{token}}"_s },
        { u"S0103"_s, u"Unsupported escape sequence: \\{{token}}"_s },
        { u"S0104"_s, u"The escape sequence \\u must be followed by 4 hex digits"_s },
        { u"S0105"_s, u"Quoted property name must be terminated with a backquote (`)"_s },
        { u"S0106"_s, u"Comment has no closing tag"_s },
        { u"S0201"_s, u"Syntax error: {{token}}"_s },
        { u"S0202"_s, u"Expected {{value}}, got {{token}}"_s },
        { u"S0203"_s, u"Expected {{value}} before end of expression"_s },
        { u"S0204"_s, u"Unknown operator: {{token}}"_s },
        { u"S0205"_s, u"Unexpected token: {{token}}"_s },
        { u"S0206"_s, u"Unknown expression type: {{token}}"_s },
        { u"S0207"_s, u"Unexpected end of expression"_s },
        { u"S0208"_s,
          u"Parameter {{value}} of function definition must be a variable name (start with $)"_s },
        { u"S0209"_s, u"A predicate cannot follow a grouping expression in a step"_s },
        { u"S0210"_s, u"Each step can only have one grouping expression"_s },
        { u"S0211"_s, u"The symbol {{token}} cannot be used as a unary operator"_s },
        { u"S0212"_s, u"The left side of := must be a variable name (start with $)"_s },
        { u"S0213"_s, u"The literal value {{value}} cannot be used as a step within a path expression"_s },
        { u"S0214"_s, u"The right side of {{token}} must be a variable name (start with $)"_s },
        { u"S0215"_s, u"A context variable binding must precede any predicates on a step"_s },
        { u"S0216"_s, u"A context variable binding must precede the 'order-by' clause on a step"_s },
        { u"S0217"_s, u"The object representing the 'parent' cannot be derived from this expression"_s },
        { u"S0301"_s, u"Empty regular expressions are not allowed"_s },
        { u"S0302"_s, u"No terminating / in regular expression"_s },
        { u"S0402"_s, u"Choice groups containing parameterized types are not supported"_s },
        { u"S0401"_s, u"Type parameters can only be applied to functions and arrays"_s },
        { u"S0500"_s, u"Attempted to evaluate an expression containing syntax error(s)"_s },
        { u"T0410"_s, u"Argument {{index}} of function {{token}} does not match function signature"_s },
        { u"T0411"_s,
          u"Context value is not a compatible type with argument {{index}} of function {{token}}"_s },
        { u"T0412"_s, u"Argument {{index}} of function {{token}} must be an array of {{type}}"_s },
        { u"D1001"_s, u"Number out of range: {{value}}"_s },
        { u"D1002"_s, u"Cannot negate a non-numeric value: {{value}}"_s },
        { u"T1003"_s, u"Key in object structure must evaluate to a string; got: {{value}}"_s },
        { u"D1004"_s, u"Regular expression matches zero length string"_s },
        { u"T1005"_s, u"Attempted to invoke a non-function. Did you mean ${{{token}}}?"_s },
        { u"T1006"_s, u"Attempted to invoke a non-function"_s },
        { u"T1007"_s, u"Attempted to partially apply a non-function. Did you mean ${{{token}}}?"_s },
        { u"T1008"_s, u"Attempted to partially apply a non-function"_s },
        { u"D1009"_s, u"Multiple key definitions evaluate to same key: {{value}}"_s },
        { u"T1010"_s,
          u"The matcher function argument passed to function {{token}} does not return the correct object structure"_s },
        { u"D1011"_s,
          u"Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive"_s },
        { u"D1012"_s, u"Evaluation timeout after {{value}} milliseconds. Check for infinite loop"_s },
        { u"D1013"_s,
          u"Object property names starting with _jsonata_ are reserved for internal use: {{value}}"_s },
        { u"T2001"_s, u"The left side of the {{token}} operator must evaluate to a number"_s },
        { u"T2002"_s, u"The right side of the {{token}} operator must evaluate to a number"_s },
        { u"T2003"_s, u"The left side of the range operator (..) must evaluate to an integer"_s },
        { u"T2004"_s, u"The right side of the range operator (..) must evaluate to an integer"_s },
        { u"D2005"_s, u"The left side of := must be a variable name (start with $)"_s },
        { u"T2006"_s, u"The right side of the function application operator ~> must be a function"_s },
        { u"T2007"_s, u"Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"_s },
        { u"T2008"_s,
          u"The expressions within an order-by clause must evaluate to numeric or string values"_s },
        { u"T2009"_s,
          u"The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type"_s },
        { u"T2010"_s,
          u"The expressions either side of operator {{token}} must evaluate to numeric or string values"_s },
        { u"T2011"_s,
          u"The insert/update clause of the transform expression must evaluate to an object: {{value}}"_s },
        { u"T2012"_s,
          u"The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}"_s },
        { u"T2013"_s,
          u"The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function."_s },
        { u"D2014"_s,
          u"The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {{value}}."_s },
        { u"D2015"_s, u"The maximum sequence length of {{value}} was exceeded."_s },
        { u"D3001"_s, u"Attempting to invoke string function on Infinity or NaN"_s },
        { u"D3010"_s, u"Second argument of replace function cannot be an empty string"_s },
        { u"D3011"_s, u"Fourth argument of replace function must evaluate to a positive number"_s },
        { u"D3012"_s, u"Attempted to replace a matched string with a non-string value"_s },
        { u"D3020"_s, u"Third argument of split function must evaluate to a positive number"_s },
        { u"D3030"_s, u"Unable to cast value to a number: {{value}}"_s },
        { u"D3040"_s, u"Third argument of match function must evaluate to a positive number"_s },
        { u"D3050"_s,
          u"The second argument of reduce function must be a function with at least two arguments"_s },
        { u"D3060"_s, u"The sqrt function cannot be applied to a negative number: {{value}}"_s },
        { u"D3061"_s,
          u"The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}"_s },
        { u"D3070"_s,
          u"The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"_s },
        { u"D3080"_s, u"The picture string must only contain a maximum of two sub-pictures"_s },
        { u"D3081"_s,
          u"The sub-picture must not contain more than one instance of the 'decimal-separator' character"_s },
        { u"D3082"_s,
          u"The sub-picture must not contain more than one instance of the 'percent' character"_s },
        { u"D3083"_s,
          u"The sub-picture must not contain more than one instance of the 'per-mille' character"_s },
        { u"D3084"_s, u"The sub-picture must not contain both a 'percent' and a 'per-mille' character"_s },
        { u"D3085"_s,
          u"The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"_s },
        { u"D3086"_s,
          u"The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"_s },
        { u"D3087"_s,
          u"The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"_s },
        { u"D3088"_s,
          u"The sub-picture must not contain a 'grouping-separator' at the end of the integer part"_s },
        { u"D3089"_s,
          u"The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"_s },
        { u"D3090"_s,
          u"The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"_s },
        { u"D3091"_s,
          u"The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"_s },
        { u"D3092"_s,
          u"A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"_s },
        { u"D3093"_s,
          u"The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"_s },
        { u"D3100"_s,
          u"The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"_s },
        { u"D3110"_s,
          u"The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"_s },
        { u"D3120"_s, u"Syntax error in expression passed to function eval: {{value}}"_s },
        { u"D3121"_s, u"Dynamic error evaluating the expression passed to function eval: {{value}}"_s },
        { u"D3130"_s,
          u"Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation"_s },
        { u"D3131"_s, u"In a decimal digit pattern, all digits must be from the same decimal group"_s },
        { u"D3132"_s, u"Unknown component specifier {{value}} in date/time picture string"_s },
        { u"D3133"_s,
          u"The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}"_s },
        { u"D3134"_s, u"The timezone integer format specifier cannot have more than four digits"_s },
        { u"D3135"_s, u"No matching closing bracket ']' in date/time picture string"_s },
        { u"D3136"_s,
          u"The date/time picture string is missing specifiers required to parse the timestamp"_s },
        { u"D3137"_s, u"{{{message}}}"_s },
        { u"D3138"_s,
          u"The $single() function expected exactly 1 matching result.  Instead it matched more."_s },
        { u"D3139"_s,
          u"The $single() function expected exactly 1 matching result.  Instead it matched 0."_s },
        { u"D3140"_s, u"Malformed URL passed to ${{{functionName}}}(): {{value}}"_s },
        { u"D3141"_s, u"{{{message}}}"_s },
    };
    return table;
}

QString stringify(const Value &v)
{
    if (v.isUndefined())
        return u"undefined"_s;
    if (v.isNumber() && !std::isfinite(v.toNumber()))
        return v.toNumber() != v.toNumber() ? u"null"_s : u"null"_s;
    QByteArray out;
    v.appendJson(out);
    return QString::fromUtf8(out);
}
} // namespace

QString errorMessage(const JsonataError &e)
{
    auto it = catalogue().constFind(e.code);
    if (it == catalogue().cend())
        return e.message.isEmpty() ? e.code : e.message;
    QString msg = *it;
    auto field = [&](const QString &name, bool json) -> QString {
        if (name == u"token"_s)
            return e.hasToken ? (json ? stringify(Value(e.token)) : e.token) : u"undefined"_s;
        if (name == u"value"_s)
            return e.hasValue ? (json || !e.value.isString() ? stringify(e.value) : e.value.toStr())
                              : u"undefined"_s;
        if (name == u"value2"_s)
            return e.hasValue2 ? stringify(e.value2) : u"undefined"_s;
        if (name == u"index"_s)
            return e.index >= 0 ? QString::number(e.index) : u"undefined"_s;
        if (name == u"type"_s)
            return json ? stringify(Value(e.type)) : e.type;
        if (name == u"functionName"_s)
            return e.functionName;
        if (name == u"message"_s)
            return e.message;
        if (name == u"exp"_s)
            return stringify(e.exp);
        return u"undefined"_s;
    };
    // {{{raw}}} then {{json}}
    for (int raw = 1; raw >= 0; --raw) {
        const QString open = raw ? u"{{{"_s : u"{{"_s;
        const QString close = raw ? u"}}}"_s : u"}}"_s;
        qsizetype from = 0;
        for (;;) {
            const qsizetype s = msg.indexOf(open, from);
            if (s < 0)
                break;
            const qsizetype end = msg.indexOf(close, s + open.size());
            if (end < 0)
                break;
            const QString name = msg.mid(s + open.size(), end - s - open.size());
            const QString rep = field(name, !raw);
            msg.replace(s, end + close.size() - s, rep);
            from = s + rep.size();
        }
    }
    return msg;
}

} // namespace lifdag::jsonata::detail
