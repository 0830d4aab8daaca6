// Tokenizer, Pratt parser and post-parse pass of JSONata (the reference's grammar, binding powers,
// error codes and positions).
#include "ast_p.h"
#include "stackguard_p.h"

#include <cmath>
#include <optional>

namespace lifdag::jsonata::detail {

namespace {

using namespace Qt::StringLiterals;

bool isOperatorChar(QChar c)
{
    switch (c.unicode()) {
    case u'.':
    case u'[':
    case u']':
    case u'{':
    case u'}':
    case u'(':
    case u')':
    case u',':
    case u'@':
    case u'#':
    case u';':
    case u':':
    case u'?':
    case u'+':
    case u'-':
    case u'*':
    case u'/':
    case u'%':
    case u'|':
    case u'=':
    case u'<':
    case u'>':
    case u'^':
    case u'&':
    case u'!':
    case u'~':
        return true;
    default:
        return false;
    }
}

QString singleCharOperator(QChar c)
{
    switch (c.unicode()) {
    case u'.':
        return u"."_s;
    case u'[':
        return u"["_s;
    case u']':
        return u"]"_s;
    case u'{':
        return u"{"_s;
    case u'}':
        return u"}"_s;
    case u'(':
        return u"("_s;
    case u')':
        return u")"_s;
    case u',':
        return u","_s;
    case u'@':
        return u"@"_s;
    case u'#':
        return u"#"_s;
    case u';':
        return u";"_s;
    case u':':
        return u":"_s;
    case u'?':
        return u"?"_s;
    case u'+':
        return u"+"_s;
    case u'-':
        return u"-"_s;
    case u'*':
        return u"*"_s;
    case u'/':
        return u"/"_s;
    case u'%':
        return u"%"_s;
    case u'|':
        return u"|"_s;
    case u'=':
        return u"="_s;
    case u'<':
        return u"<"_s;
    case u'>':
        return u">"_s;
    case u'^':
        return u"^"_s;
    case u'&':
        return u"&"_s;
    case u'!':
        return u"!"_s;
    case u'~':
        return u"~"_s;
    default:
        return QString(c);
    }
}

bool isWhitespace(QChar c)
{
    const char16_t u = c.unicode();
    return u == u' ' || u == u'\t' || u == u'\n' || u == u'\r' || u == u'\v';
}

// Operators are at most three characters: a switch on them is cheaper than hashing.
constexpr quint32 opKey(char16_t a, char16_t b = 0, char16_t c = 0)
{
    return quint32(a) | (quint32(b) << 8) | (quint32(c) << 16);
}

quint32 opKey(const QString &op)
{
    if (op.size() > 3)
        return 0;
    quint32 k = 0;
    for (qsizetype i = 0; i < op.size(); ++i) {
        const char16_t c = op.at(i).unicode();
        if (c > 0x7f)
            return 0;
        k |= quint32(c) << (8 * i);
    }
    return k;
}

// the reference's operator table (binding powers)
int bindingPower(const QString &op)
{
    switch (opKey(op)) {
    case opKey('.'):
        return 75;
    case opKey('['):
    case opKey('('):
    case opKey('@'):
    case opKey('#'):
    case opKey(';'):
    case opKey(':'):
        return 80;
    case opKey('{'):
        return 70;
    case opKey('?'):
    case opKey('|'):
    case opKey('.', '.'):
        return 20;
    case opKey('+'):
    case opKey('-'):
    case opKey('&'):
        return 50;
    case opKey('*'):
    case opKey('/'):
    case opKey('%'):
    case opKey('*', '*'):
        return 60;
    case opKey('='):
    case opKey('<'):
    case opKey('>'):
    case opKey('^'):
    case opKey('!', '='):
    case opKey('<', '='):
    case opKey('>', '='):
    case opKey('~', '>'):
    case opKey('?', ':'):
    case opKey('?', '?'):
    case opKey('i', 'n'):
        return 40;
    case opKey(':', '='):
        return 10;
    case opKey('a', 'n', 'd'):
        return 30;
    case opKey('o', 'r'):
        return 25;
    default:
        return 0;
    }
}

// left binding power of each parser symbol (symbols with only a nud have 0)
int symbolLbp(const QString &id)
{
    switch (opKey(id)) {
    case opKey(':'):
    case opKey(';'):
    case opKey('|'):
    case opKey('.', '.'):
    case opKey('*', '*'):
        return 0;
    default:
        return bindingPower(id);
    }
}

bool isKnownSymbol(const QString &op)
{
    switch (opKey(op)) {
    case opKey('.'):
    case opKey('+'):
    case opKey('-'):
    case opKey('*'):
    case opKey('/'):
    case opKey('%'):
    case opKey('='):
    case opKey('<'):
    case opKey('>'):
    case opKey('!', '='):
    case opKey('<', '='):
    case opKey('>', '='):
    case opKey('&'):
    case opKey('a', 'n', 'd'):
    case opKey('o', 'r'):
    case opKey('i', 'n'):
    case opKey('~', '>'):
    case opKey('?', '?'):
    case opKey('('):
    case opKey('['):
    case opKey('^'):
    case opKey('{'):
    case opKey(':', '='):
    case opKey('@'):
    case opKey('#'):
    case opKey('?'):
    case opKey('?', ':'):
    case opKey(':'):
    case opKey(';'):
    case opKey(','):
    case opKey(')'):
    case opKey(']'):
    case opKey('}'):
    case opKey('.', '.'):
    case opKey('*', '*'):
    case opKey('|'):
        return true;
    default:
        return false;
    }
}

enum class TokType { Name, Variable, Operator, String, Number, Value, Regex };

struct Token
{
    TokType type;
    QString value;
    Value literal; // number / string / true,false,null
    std::shared_ptr<const RegexData> regex;
    int position;
};

class Lexer
{
public:
    explicit Lexer(const QString &src)
        : m_src(src)
        , m_len(int(src.size()))
    { }

    QChar at(int i) const { return i >= 0 && i < m_len ? m_src.at(i) : QChar(); }

    std::optional<Token> next(bool prefix)
    {
        for (;;) {
            if (m_pos >= m_len)
                return std::nullopt;
            QChar c = at(m_pos);
            while (m_pos < m_len && isWhitespace(c)) {
                ++m_pos;
                c = at(m_pos);
            }
            if (c == u'/' && at(m_pos + 1) == u'*') {
                const int commentStart = m_pos;
                m_pos += 2;
                c = at(m_pos);
                while (!(c == u'*' && at(m_pos + 1) == u'/')) {
                    c = at(++m_pos);
                    if (m_pos >= m_len)
                        raise(JsonataError(u"S0106"_s, commentStart));
                }
                m_pos += 2;
                continue;
            }
            break;
        }
        QChar c = at(m_pos);
        if (!prefix && c == u'/') {
            ++m_pos;
            Token t { TokType::Regex, {}, {}, scanRegex(), 0 };
            t.position = m_pos;
            return t;
        }
        // operator texts are static strings: no allocation per token
        const QChar c2 = at(m_pos + 1);
        QString two;
        switch (c.unicode()) {
        case u'.':
            two = c2 == u'.' ? u".."_s : QString();
            break;
        case u':':
            two = c2 == u'=' ? u":="_s : QString();
            break;
        case u'!':
            two = c2 == u'=' ? u"!="_s : QString();
            break;
        case u'>':
            two = c2 == u'=' ? u">="_s : QString();
            break;
        case u'<':
            two = c2 == u'=' ? u"<="_s : QString();
            break;
        case u'*':
            two = c2 == u'*' ? u"**"_s : QString();
            break;
        case u'~':
            two = c2 == u'>' ? u"~>"_s : QString();
            break;
        case u'?':
            two = c2 == u':' ? u"?:"_s : (c2 == u'?' ? u"??"_s : QString());
            break;
        default:
            break;
        }
        if (!two.isNull()) {
            m_pos += 2;
            return op(two);
        }
        if (isOperatorChar(c)) {
            ++m_pos;
            return op(singleCharOperator(c));
        }
        if (c == u'"' || c == u'\'') {
            const QChar quote = c;
            ++m_pos;
            QString s;
            while (m_pos < m_len) {
                c = at(m_pos);
                if (c == u'\\') {
                    ++m_pos;
                    c = at(m_pos);
                    switch (c.unicode()) {
                    case u'"':
                        s += u'"';
                        break;
                    case u'\\':
                        s += u'\\';
                        break;
                    case u'/':
                        s += u'/';
                        break;
                    case u'b':
                        s += u'\b';
                        break;
                    case u'f':
                        s += u'\f';
                        break;
                    case u'n':
                        s += u'\n';
                        break;
                    case u'r':
                        s += u'\r';
                        break;
                    case u't':
                        s += u'\t';
                        break;
                    case u'u': {
                        const QString octets = m_src.mid(m_pos + 1, 4);
                        bool hex = !octets.isEmpty();
                        for (QChar h : octets)
                            hex = hex
                                && ((h >= u'0' && h <= u'9') || (h >= u'a' && h <= u'f')
                                    || (h >= u'A' && h <= u'F'));
                        if (!hex)
                            raise(JsonataError(u"S0104"_s, m_pos));
                        s += QChar(char16_t(octets.toUInt(nullptr, 16)));
                        m_pos += 4;
                        break;
                    }
                    default:
                        raise(JsonataError(u"S0103"_s, m_pos).withToken(QString(c)));
                    }
                } else if (c == quote) {
                    ++m_pos;
                    Token t { TokType::String, s, Value(s), {}, m_pos };
                    return t;
                } else {
                    s += c;
                }
                ++m_pos;
            }
            raise(JsonataError(u"S0101"_s, m_pos));
        }
        // numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
        if (c >= u'0' && c <= u'9') {
            int i = m_pos;
            if (at(i) == u'0') {
                ++i;
            } else {
                while (at(i) >= u'0' && at(i) <= u'9')
                    ++i;
            }
            if (at(i) == u'.' && at(i + 1) >= u'0' && at(i + 1) <= u'9') {
                ++i;
                while (at(i) >= u'0' && at(i) <= u'9')
                    ++i;
            }
            if (at(i) == u'e' || at(i) == u'E') {
                int j = i + 1;
                if (at(j) == u'+' || at(j) == u'-')
                    ++j;
                if (at(j) >= u'0' && at(j) <= u'9') {
                    while (at(j) >= u'0' && at(j) <= u'9')
                        ++j;
                    i = j;
                }
            }
            const QString text = m_src.mid(m_pos, i - m_pos);
            const double num = text.toDouble();
            if (!std::isfinite(num))
                raise(JsonataError(u"S0102"_s, m_pos).withToken(text));
            m_pos = i;
            Token t { TokType::Number, text, Value(num), {}, m_pos };
            return t;
        }
        if (c == u'`') {
            ++m_pos;
            const int end = int(m_src.indexOf(u'`', m_pos));
            if (end != -1) {
                const QString name = m_src.mid(m_pos, end - m_pos);
                m_pos = end + 1;
                Token t { TokType::Name, name, {}, {}, m_pos };
                return t;
            }
            m_pos = m_len;
            raise(JsonataError(u"S0105"_s, m_pos));
        }
        int i = m_pos;
        for (;;) {
            const QChar ch = at(i);
            if (i >= m_len || isWhitespace(ch) || isOperatorChar(ch)) {
                if (at(m_pos) == u'$') {
                    const QString name = m_src.mid(m_pos + 1, i - m_pos - 1);
                    m_pos = i;
                    Token t { TokType::Variable, name, {}, {}, m_pos };
                    return t;
                }
                const QString name = m_src.mid(m_pos, i - m_pos);
                m_pos = i;
                if (name == u"or"_s || name == u"in"_s || name == u"and"_s)
                    return op(name);
                if (name == u"true"_s)
                    return Token { TokType::Value, name, Value(true), {}, m_pos };
                if (name == u"false"_s)
                    return Token { TokType::Value, name, Value(false), {}, m_pos };
                if (name == u"null"_s)
                    return Token { TokType::Value, name, Value(nullptr), {}, m_pos };
                if (m_pos == m_len && name.isEmpty())
                    return std::nullopt;
                return Token { TokType::Name, name, {}, {}, m_pos };
            }
            ++i;
        }
    }

private:
    Token op(const QString &v) { return Token { TokType::Operator, v, {}, {}, m_pos }; }

    std::shared_ptr<const RegexData> scanRegex()
    {
        int start = m_pos;
        int depth = 0;
        auto isClosingSlash = [&](int pos) {
            if (at(pos) == u'/' && depth == 0) {
                int backslashes = 0;
                while (at(pos - (backslashes + 1)) == u'\\')
                    ++backslashes;
                return backslashes % 2 == 0;
            }
            return false;
        };
        while (m_pos < m_len) {
            QChar c = at(m_pos);
            if (isClosingSlash(m_pos)) {
                const QString pattern = m_src.mid(start, m_pos - start);
                if (pattern.isEmpty())
                    raise(JsonataError(u"S0301"_s, m_pos));
                ++m_pos;
                c = at(m_pos);
                start = m_pos;
                while (c == u'i' || c == u'm') {
                    ++m_pos;
                    c = at(m_pos);
                }
                const QString flags = m_src.mid(start, m_pos - start);
                return compileRegex(pattern, flags, m_pos);
            }
            if ((c == u'(' || c == u'[' || c == u'{') && at(m_pos - 1) != u'\\')
                ++depth;
            if ((c == u')' || c == u']' || c == u'}') && at(m_pos - 1) != u'\\')
                --depth;
            ++m_pos;
        }
        raise(JsonataError(u"S0302"_s, m_pos));
    }

    const QString &m_src;
    int m_len;
    int m_pos = 0;
};

class Parser
{
public:
    Parser(const QString &source, Ast &ast)
        : m_source(source)
        , m_lexer(source)
        , m_ast(ast)
    { }

    Node *run()
    {
        advance();
        Node *expr = expression(0);
        if (m_node->id != u"(end)"_s)
            raise(JsonataError(u"S0201"_s, m_node->position).withToken(m_node->value));
        expr = processAST(expr);
        if (expr->type == NodeType::Parent || expr->hasSeekingParent)
            raise(JsonataError(u"S0217"_s, expr->position).withToken(typeName(expr)));
        return expr;
    }

private:
    static QString typeName(const Node *n)
    {
        switch (n->type) {
        case NodeType::Parent:
            return u"parent"_s;
        case NodeType::Path:
            return u"path"_s;
        case NodeType::Binary:
            return u"binary"_s;
        case NodeType::Unary:
            return u"unary"_s;
        case NodeType::Function:
            return u"function"_s;
        case NodeType::Variable:
            return u"variable"_s;
        case NodeType::String:
            return u"string"_s;
        case NodeType::Number:
            return u"number"_s;
        case NodeType::Condition:
            return u"condition"_s;
        case NodeType::Lambda:
            return u"lambda"_s;
        default:
            return u"expression"_s;
        }
    }

    Node *advance(const QString &id = QString(), bool infix = false)
    {
        if (!id.isNull() && m_node->id != id) {
            const QString code = m_node->id == u"(end)"_s ? u"S0203"_s : u"S0202"_s;
            raise(JsonataError(code, m_node->position).withToken(m_node->value).withValue(Value(id)));
        }
        std::optional<Token> tok = m_lexer.next(infix);
        if (!tok) {
            Node *end = m_ast.make(NodeType::End, int(m_source.size()));
            end->id = u"(end)"_s;
            end->value = u"(end)"_s;
            m_node = end;
            return end;
        }
        Node *n = m_ast.make(NodeType::End, tok->position);
        n->value = tok->value;
        switch (tok->type) {
        case TokType::Name:
            n->type = NodeType::Name;
            n->id = u"(name)"_s;
            break;
        case TokType::Variable:
            n->type = NodeType::Variable;
            n->id = u"(name)"_s;
            break;
        case TokType::Operator:
            if (!isKnownSymbol(tok->value))
                raise(JsonataError(u"S0204"_s, tok->position).withToken(tok->value));
            n->type = NodeType::Operator;
            n->id = tok->value;
            break;
        case TokType::String:
            n->type = NodeType::String;
            n->id = u"(literal)"_s;
            n->literal = tok->literal;
            break;
        case TokType::Number:
            n->type = NodeType::Number;
            n->id = u"(literal)"_s;
            n->literal = tok->literal;
            n->number = tok->literal.toNumber();
            break;
        case TokType::Value:
            n->type = NodeType::Literal;
            n->id = u"(literal)"_s;
            n->literal = tok->literal;
            break;
        case TokType::Regex:
            n->type = NodeType::Regex;
            n->id = u"(regex)"_s;
            n->regex = tok->regex;
            n->value = tok->regex->source;
            break;
        }
        m_node = n;
        return n;
    }

    int lbp(const Node *n) const
    {
        if (n->type == NodeType::Operator)
            return symbolLbp(n->id);
        return 0;
    }

    Node *expression(int rbp)
    {
        if (stackExhausted())
            raise(JsonataError(u"D1011"_s, m_node->position).withToken(m_node->value));
        Node *t = m_node;
        advance(QString(), true);
        Node *left = nud(t);
        while (rbp < lbp(m_node)) {
            t = m_node;
            advance();
            left = led(t, left);
        }
        return left;
    }

    Node *nud(Node *t)
    {
        const QString &id = t->id;
        if (id == u"(end)"_s || id == u"(name)"_s || id == u"(literal)"_s || id == u"(regex)"_s
            || id == u"and"_s || id == u"or"_s || id == u"in"_s)
            return t;
        if (id == u"-"_s) {
            t->expression = expression(70);
            t->type = NodeType::Unary;
            return t;
        }
        if (id == u"*"_s) {
            t->type = NodeType::Wildcard;
            return t;
        }
        if (id == u"**"_s) {
            t->type = NodeType::Descendant;
            return t;
        }
        if (id == u"%"_s) {
            t->type = NodeType::Parent;
            return t;
        }
        if (id == u"("_s) {
            while (m_node->id != u")"_s) {
                t->expressions.push_back(expression(0));
                if (m_node->id != u";"_s)
                    break;
                advance(u";"_s);
            }
            advance(u")"_s, true);
            t->type = NodeType::Block;
            return t;
        }
        if (id == u"["_s) {
            if (m_node->id != u"]"_s) {
                for (;;) {
                    Node *item = expression(0);
                    if (m_node->id == u".."_s) {
                        Node *range = m_ast.make(NodeType::Binary, m_node->position);
                        range->value = u".."_s;
                        range->lhs = item;
                        advance(u".."_s);
                        range->rhs = expression(0);
                        item = range;
                    }
                    t->expressions.push_back(item);
                    if (m_node->id != u","_s)
                        break;
                    advance(u","_s);
                }
            }
            advance(u"]"_s, true);
            t->type = NodeType::Unary;
            return t;
        }
        if (id == u"{"_s) {
            parseObject(t);
            t->type = NodeType::Unary;
            return t;
        }
        if (id == u"|"_s) {
            t->type = NodeType::Transform;
            t->pattern = expression(0);
            advance(u"|"_s);
            t->update = expression(0);
            if (m_node->id == u","_s) {
                advance(u","_s);
                t->deletion = expression(0);
            }
            advance(u"|"_s);
            return t;
        }
        raise(JsonataError(u"S0211"_s, t->position).withToken(t->value));
    }

    void parseObject(Node *t)
    {
        if (m_node->id != u"}"_s) {
            for (;;) {
                Node *n = expression(0);
                advance(u":"_s);
                Node *v = expression(0);
                t->pairs.emplace_back(n, v);
                if (m_node->id != u","_s)
                    break;
                advance(u","_s);
            }
        }
        advance(u"}"_s, true);
    }

    Node *led(Node *t, Node *left)
    {
        const QString &id = t->id;
        if (id == u"("_s)
            return ledCall(t, left);
        if (id == u"["_s) {
            if (m_node->id == u"]"_s) {
                Node *step = left;
                while (step && step->type == NodeType::Binary && step->value == u"["_s)
                    step = step->lhs;
                step->keepArray = true;
                advance(u"]"_s);
                return left;
            }
            t->lhs = left;
            t->rhs = expression(0);
            t->type = NodeType::Binary;
            advance(u"]"_s, true);
            return t;
        }
        if (id == u"^"_s) {
            advance(u"("_s);
            for (;;) {
                SortTerm term;
                if (m_node->id == u"<"_s) {
                    advance(u"<"_s);
                } else if (m_node->id == u">"_s) {
                    term.descending = true;
                    advance(u">"_s);
                }
                term.expression = expression(0);
                t->sortTerms.push_back(term);
                if (m_node->id != u","_s)
                    break;
                advance(u","_s);
            }
            advance(u")"_s);
            t->lhs = left;
            t->type = NodeType::Binary;
            return t;
        }
        if (id == u"{"_s) {
            parseObject(t);
            t->lhs = left;
            t->type = NodeType::Binary;
            return t;
        }
        if (id == u":="_s) {
            if (left->type != NodeType::Variable)
                raise(JsonataError(u"S0212"_s, left->position).withToken(left->value));
            t->lhs = left;
            t->rhs = expression(bindingPower(u":="_s) - 1);
            t->type = NodeType::Binary;
            return t;
        }
        if (id == u"@"_s || id == u"#"_s) {
            t->lhs = left;
            t->rhs = expression(bindingPower(id));
            if (t->rhs->type != NodeType::Variable)
                raise(JsonataError(u"S0214"_s, t->rhs->position).withToken(id));
            t->type = NodeType::Binary;
            return t;
        }
        if (id == u"?"_s) {
            t->type = NodeType::Condition;
            t->condition = left;
            t->then = expression(0);
            if (m_node->id == u":"_s) {
                advance(u":"_s);
                t->otherwise = expression(0);
            }
            return t;
        }
        if (id == u"?:"_s) {
            t->type = NodeType::Condition;
            t->condition = cloneRaw(left);
            t->then = left;
            t->otherwise = expression(0);
            return t;
        }
        if (id == u"??"_s) {
            t->type = NodeType::Condition;
            Node *call = m_ast.make(NodeType::Function, -1);
            call->value = u"("_s;
            Node *proc = m_ast.make(NodeType::Variable, -1);
            proc->value = u"exists"_s;
            call->procedure = proc;
            call->arguments.push_back(cloneRaw(left));
            t->condition = call;
            t->then = left;
            t->otherwise = expression(0);
            return t;
        }
        // plain left-associative infix operators
        t->lhs = left;
        t->rhs = expression(bindingPower(id));
        t->type = NodeType::Binary;
        return t;
    }

    Node *ledCall(Node *t, Node *left)
    {
        t->procedure = left;
        t->type = NodeType::Function;
        if (m_node->id != u")"_s) {
            for (;;) {
                if (m_node->type == NodeType::Operator && m_node->id == u"?"_s) {
                    t->type = NodeType::Partial;
                    t->arguments.push_back(m_node);
                    advance(u"?"_s);
                } else {
                    t->arguments.push_back(expression(0));
                }
                if (m_node->id != u","_s)
                    break;
                advance(u","_s);
            }
        }
        advance(u")"_s, true);
        if (left->type == NodeType::Name && (left->value == u"function"_s || left->value == u"\u03BB"_s)) {
            for (size_t i = 0; i < t->arguments.size(); ++i) {
                Node *arg = t->arguments[i];
                if (arg->type != NodeType::Variable)
                    raise(JsonataError(u"S0208"_s, arg->position)
                              .withToken(arg->value)
                              .withValue(Value(int(i + 1))));
            }
            t->type = NodeType::Lambda;
            if (m_node->id == u"<"_s) {
                const int sigPos = m_node->position;
                int depth = 1;
                QString sig = u"<"_s;
                while (depth > 0 && m_node->id != u"{"_s && m_node->id != u"(end)"_s) {
                    Node *tok = advance();
                    if (tok->id == u">"_s)
                        --depth;
                    else if (tok->id == u"<"_s)
                        ++depth;
                    sig += tok->value;
                }
                advance(u">"_s);
                try {
                    t->signature = parseSignature(sig);
                } catch (JsonataError &e) {
                    e.position = sigPos + e.position;
                    throw;
                }
            }
            advance(u"{"_s);
            t->body = expression(0);
            advance(u"}"_s);
        }
        return t;
    }

    Node *cloneRaw(const Node *n)
    {
        if (!n)
            return nullptr;
        Node *c = m_ast.make(n->type, n->position);
        c->id = n->id;
        c->value = n->value;
        c->literal = n->literal;
        c->number = n->number;
        c->lhs = cloneRaw(n->lhs);
        c->rhs = cloneRaw(n->rhs);
        c->expression = cloneRaw(n->expression);
        for (Node *e : n->expressions)
            c->expressions.push_back(cloneRaw(e));
        for (const auto &[k, v] : n->pairs)
            c->pairs.emplace_back(cloneRaw(k), cloneRaw(v));
        for (const SortTerm &st : n->sortTerms)
            c->sortTerms.push_back(SortTerm { st.descending, cloneRaw(st.expression) });
        c->procedure = cloneRaw(n->procedure);
        for (Node *a : n->arguments)
            c->arguments.push_back(cloneRaw(a));
        c->signature = n->signature;
        c->body = cloneRaw(n->body);
        c->condition = cloneRaw(n->condition);
        c->then = cloneRaw(n->then);
        c->otherwise = cloneRaw(n->otherwise);
        c->pattern = cloneRaw(n->pattern);
        c->update = cloneRaw(n->update);
        c->deletion = cloneRaw(n->deletion);
        c->keepArray = n->keepArray;
        c->regex = n->regex;
        return c;
    }

    // ----- post-parse pass -----

    Node *tailCallOptimize(Node *expr)
    {
        if (expr->type == NodeType::Function && expr->predicate.empty()) {
            Node *thunk = m_ast.make(NodeType::Lambda, expr->position);
            thunk->thunk = true;
            thunk->body = expr;
            return thunk;
        }
        if (expr->type == NodeType::Condition) {
            expr->then = tailCallOptimize(expr->then);
            if (expr->otherwise)
                expr->otherwise = tailCallOptimize(expr->otherwise);
            return expr;
        }
        if (expr->type == NodeType::Block) {
            if (!expr->expressions.empty())
                expr->expressions.back() = tailCallOptimize(expr->expressions.back());
            return expr;
        }
        return expr;
    }

    Slot *seekParent(Node *node, Slot *slot)
    {
        switch (node->type) {
        case NodeType::Name:
        case NodeType::Wildcard:
            slot->level--;
            if (slot->level == 0) {
                if (!node->ancestor) {
                    node->ancestor = slot;
                } else {
                    m_ancestry[size_t(slot->index)]->slot->label = node->ancestor->label;
                    node->ancestor = slot;
                }
                node->tuple = true;
            }
            break;
        case NodeType::Parent:
            slot->level++;
            break;
        case NodeType::Block:
            if (!node->expressions.empty()) {
                node->tuple = true;
                slot = seekParent(node->expressions.back(), slot);
            }
            break;
        case NodeType::Path: {
            node->tuple = true;
            int index = int(node->steps.size()) - 1;
            slot = seekParent(node->steps[size_t(index--)], slot);
            while (slot->level > 0 && index >= 0)
                slot = seekParent(node->steps[size_t(index--)], slot);
            break;
        }
        default:
            raise(JsonataError(u"S0217"_s, node->position).withToken(typeName(node)));
        }
        return slot;
    }

    static void pushAncestry(Node *result, const Node *value)
    {
        if (value->hasSeekingParent || value->type == NodeType::Parent) {
            std::vector<Slot *> slots = value->seekingParent;
            if (value->type == NodeType::Parent)
                slots.push_back(value->slot);
            if (!result->hasSeekingParent) {
                result->hasSeekingParent = true;
                result->seekingParent = slots;
            } else {
                result->seekingParent.insert(result->seekingParent.end(), slots.begin(), slots.end());
            }
        }
    }

    void resolveAncestry(Node *path)
    {
        int index = int(path->steps.size()) - 1;
        Node *laststep = path->steps[size_t(index)];
        std::vector<Slot *> slots = laststep->seekingParent;
        if (laststep->type == NodeType::Parent)
            slots.push_back(laststep->slot);
        for (Slot *slot : slots) {
            index = int(path->steps.size()) - 2;
            while (slot->level > 0) {
                if (index < 0) {
                    path->hasSeekingParent = true;
                    path->seekingParent.push_back(slot);
                    break;
                }
                Node *step = path->steps[size_t(index--)];
                while (index >= 0 && hasFocusName(step) && hasFocusName(path->steps[size_t(index)]))
                    step = path->steps[size_t(index--)];
                slot = seekParent(step, slot);
            }
        }
    }

    static bool hasFocusName(const Node *n) { return n->hasFocus && !n->focus.isEmpty(); }

    Node *makePath(Node *first)
    {
        Node *p = m_ast.make(NodeType::Path, first->position);
        p->steps.push_back(first);
        return p;
    }

    Node *processAST(Node *expr)
    {
        if (stackExhausted())
            raise(JsonataError(u"D1011"_s, expr->position));
        Node *result = nullptr;
        switch (expr->type) {
        case NodeType::Binary:
            result = processBinary(expr);
            break;
        case NodeType::Unary: {
            result = m_ast.make(NodeType::Unary, expr->position);
            result->value = expr->value;
            if (expr->value == u"["_s) {
                for (Node *item : expr->expressions) {
                    Node *v = processAST(item);
                    pushAncestry(result, v);
                    result->expressions.push_back(v);
                }
            } else if (expr->value == u"{"_s) {
                for (const auto &[k, v] : expr->pairs) {
                    Node *key = processAST(k);
                    pushAncestry(result, key);
                    Node *value = processAST(v);
                    pushAncestry(result, value);
                    result->pairs.emplace_back(key, value);
                }
            } else {
                result->expression = processAST(expr->expression);
                if (expr->value == u"-"_s && result->expression->type == NodeType::Number) {
                    result = result->expression;
                    result->number = -result->number;
                    result->literal = Value(result->number);
                } else {
                    pushAncestry(result, result->expression);
                }
            }
            break;
        }
        case NodeType::Function:
        case NodeType::Partial: {
            result = m_ast.make(expr->type, expr->position);
            result->value = expr->value;
            for (Node *arg : expr->arguments) {
                Node *a = processAST(arg);
                pushAncestry(result, a);
                result->arguments.push_back(a);
            }
            result->procedure = processAST(expr->procedure);
            break;
        }
        case NodeType::Lambda: {
            result = m_ast.make(NodeType::Lambda, expr->position);
            result->arguments = expr->arguments;
            result->signature = expr->signature;
            result->body = tailCallOptimize(processAST(expr->body));
            break;
        }
        case NodeType::Condition: {
            result = m_ast.make(NodeType::Condition, expr->position);
            result->condition = processAST(expr->condition);
            pushAncestry(result, result->condition);
            result->then = processAST(expr->then);
            pushAncestry(result, result->then);
            if (expr->otherwise) {
                result->otherwise = processAST(expr->otherwise);
                pushAncestry(result, result->otherwise);
            }
            break;
        }
        case NodeType::Transform: {
            result = m_ast.make(NodeType::Transform, expr->position);
            result->pattern = processAST(expr->pattern);
            result->update = processAST(expr->update);
            if (expr->deletion)
                result->deletion = processAST(expr->deletion);
            break;
        }
        case NodeType::Block: {
            result = m_ast.make(NodeType::Block, expr->position);
            for (Node *item : expr->expressions) {
                Node *part = processAST(item);
                pushAncestry(result, part);
                if (part->consarray || (part->type == NodeType::Path && part->steps[0]->consarray))
                    result->consarray = true;
                result->expressions.push_back(part);
            }
            break;
        }
        case NodeType::Name:
            result = makePath(expr);
            if (expr->keepArray)
                result->keepSingletonArray = true;
            break;
        case NodeType::Parent: {
            result = m_ast.make(NodeType::Parent, expr->position);
            Slot *slot = m_ast.makeSlot();
            slot->label = u"!"_s + QString::number(m_ancestorLabel++);
            slot->level = 1;
            slot->index = m_ancestorIndex++;
            result->slot = slot;
            m_ancestry.push_back(result);
            break;
        }
        case NodeType::String:
        case NodeType::Number:
        case NodeType::Literal:
        case NodeType::Wildcard:
        case NodeType::Descendant:
        case NodeType::Variable:
        case NodeType::Regex:
            result = expr;
            break;
        case NodeType::Operator:
            if (expr->value == u"and"_s || expr->value == u"or"_s || expr->value == u"in"_s) {
                expr->type = NodeType::Name;
                result = processAST(expr);
            } else if (expr->value == u"?"_s) {
                result = expr;
            } else {
                raise(JsonataError(u"S0201"_s, expr->position).withToken(expr->value));
            }
            break;
        case NodeType::End:
            raise(JsonataError(u"S0207"_s, expr->position).withToken(expr->value));
        default:
            raise(JsonataError(u"S0206"_s, expr->position).withToken(expr->value));
        }
        if (expr->keepArray)
            result->keepArray = true;
        return result;
    }

    Node *processBinary(Node *expr)
    {
        const QString &op = expr->value;
        Node *result = nullptr;
        if (op == u"."_s) {
            Node *lstep = processAST(expr->lhs);
            result = lstep->type == NodeType::Path ? lstep : makePath(lstep);
            if (lstep->type == NodeType::Parent) {
                result->hasSeekingParent = true;
                result->seekingParent = { lstep->slot };
            }
            Node *rest = processAST(expr->rhs);
            if (rest->type == NodeType::Path) {
                result->steps.insert(result->steps.end(), rest->steps.begin(), rest->steps.end());
            } else {
                if (!rest->predicate.empty()) {
                    rest->hasStages = true;
                    for (Node *p : rest->predicate)
                        rest->stages.push_back(Stage { Stage::Filter, p, {}, p->position });
                    rest->predicate.clear();
                }
                result->steps.push_back(rest);
            }
            for (Node *step : result->steps) {
                if (step->type == NodeType::Number || step->type == NodeType::Literal)
                    raise(JsonataError(u"S0213"_s, step->position).withValue(step->literal));
                if (step->type == NodeType::String)
                    step->type = NodeType::Name;
            }
            for (Node *step : result->steps) {
                if (step->keepArray) {
                    result->keepSingletonArray = true;
                    break;
                }
            }
            Node *first = result->steps.front();
            if (first->type == NodeType::Unary && first->value == u"["_s)
                first->consarray = true;
            Node *last = result->steps.back();
            if (last->type == NodeType::Unary && last->value == u"["_s)
                last->consarray = true;
            resolveAncestry(result);
            return result;
        }
        if (op == u"["_s) {
            result = processAST(expr->lhs);
            Node *step = result;
            bool stages = false;
            if (result->type == NodeType::Path) {
                step = result->steps.back();
                stages = true;
            }
            if (step->group)
                raise(JsonataError(u"S0209"_s, expr->position));
            Node *predicate = processAST(expr->rhs);
            if (predicate->hasSeekingParent) {
                for (Slot *slot : predicate->seekingParent) {
                    if (slot->level == 1)
                        seekParent(step, slot);
                    else
                        slot->level--;
                }
                pushAncestry(step, predicate);
            }
            if (stages) {
                step->hasStages = true;
                step->stages.push_back(Stage { Stage::Filter, predicate, {}, expr->position });
            } else {
                // filters on a non-path expression stay on the expression itself
                step->predicate.push_back(predicate);
            }
            return result;
        }
        if (op == u"{"_s) {
            result = processAST(expr->lhs);
            if (result->group)
                raise(JsonataError(u"S0210"_s, expr->position));
            auto g = std::make_unique<Group>();
            g->position = expr->position;
            for (const auto &[k, v] : expr->pairs)
                g->pairs.emplace_back(processAST(k), processAST(v));
            result->group = std::move(g);
            return result;
        }
        if (op == u"^"_s) {
            result = processAST(expr->lhs);
            if (result->type != NodeType::Path)
                result = makePath(result);
            Node *sortStep = m_ast.make(NodeType::Sort, expr->position);
            for (const SortTerm &term : expr->sortTerms) {
                Node *e = processAST(term.expression);
                pushAncestry(sortStep, e);
                sortStep->sortTerms.push_back(SortTerm { term.descending, e });
            }
            result->steps.push_back(sortStep);
            resolveAncestry(result);
            return result;
        }
        if (op == u":="_s) {
            result = m_ast.make(NodeType::Bind, expr->position);
            result->value = expr->value;
            result->lhs = processAST(expr->lhs);
            result->rhs = processAST(expr->rhs);
            pushAncestry(result, result->rhs);
            return result;
        }
        if (op == u"@"_s) {
            result = processAST(expr->lhs);
            Node *step = result;
            if (result->type == NodeType::Path)
                step = result->steps.back();
            if (step->hasStages || !step->predicate.empty())
                raise(JsonataError(u"S0215"_s, expr->position));
            if (step->type == NodeType::Sort)
                raise(JsonataError(u"S0216"_s, expr->position));
            if (expr->keepArray)
                step->keepArray = true;
            step->hasFocus = true;
            step->focus = expr->rhs->value;
            step->tuple = true;
            return result;
        }
        if (op == u"#"_s) {
            result = processAST(expr->lhs);
            Node *step = result;
            if (result->type == NodeType::Path) {
                step = result->steps.back();
            } else {
                result = makePath(result);
                if (!step->predicate.empty()) {
                    step->hasStages = true;
                    for (Node *p : step->predicate)
                        step->stages.push_back(Stage { Stage::Filter, p, {}, p->position });
                    step->predicate.clear();
                }
            }
            if (!step->hasStages) {
                step->hasIndex = true;
                step->index = expr->rhs->value;
            } else {
                step->stages.push_back(Stage { Stage::Index, nullptr, expr->rhs->value, expr->position });
            }
            step->tuple = true;
            return result;
        }
        if (op == u"~>"_s) {
            result = m_ast.make(NodeType::Apply, expr->position);
            result->value = op;
            result->lhs = processAST(expr->lhs);
            result->rhs = processAST(expr->rhs);
            result->keepArray = result->lhs->keepArray || result->rhs->keepArray;
            return result;
        }
        result = m_ast.make(NodeType::Binary, expr->position);
        result->value = op;
        result->lhs = processAST(expr->lhs);
        result->rhs = processAST(expr->rhs);
        pushAncestry(result, result->lhs);
        pushAncestry(result, result->rhs);
        return result;
    }

    const QString &m_source;
    Lexer m_lexer;
    Ast &m_ast;
    Node *m_node = nullptr;
    int m_ancestorLabel = 0;
    int m_ancestorIndex = 0;
    std::vector<Node *> m_ancestry;
};

} // namespace

std::unique_ptr<Ast> parse(const QString &source)
{
    auto ast = std::make_unique<Ast>();
    Parser p(source, *ast);
    ast->root = p.run();
    return ast;
}

} // namespace lifdag::jsonata::detail
