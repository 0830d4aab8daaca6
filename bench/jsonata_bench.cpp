// Throughput of lifdag's JSONata engine on LIF MDR transformation groups, the workload of
// shared/tools/jsonata/bench-lif.js, optionally side by side with jsonata-js.
//
//   jsonata_bench [--iterations N] [--warmup N] [--fanout K] [--input FILE]
//                 [--mode compiled|compile-each|cached|all] [--node BENCH_LIF_JS]
//                 [--write-records DIR] GROUP.json|DIR ...
//
// Each GROUP.json is an MDR export ({"Transformations":[{"Expression":"..."}]}); a DIR stands for
// its *.json files. Per group: compile every expression (failures are listed and left out),
// generate a synthetic record from the field paths the expressions read (the heuristics of
// gen-lif-input.js), then evaluate all expressions against it N times. One "record" = one round
// of a group's expressions. Modes: compiled (compile once), compile-each (parse again for every
// evaluation, what LIF's Python translator pays), cached (Expression::compileCached for every
// evaluation, what lifdag's Transformer pays). With --node, bench-lif.js runs with the same
// files and options and the ratios are printed.
#include <lifdag/jsonata/expression.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>

#include <algorithm>
#include <cstdio>
#include <map>

using namespace lifdag::jsonata;
using namespace Qt::StringLiterals;

namespace {

struct Options
{
    int iterations = 5000;
    int warmup = 500;
    int fanout = 1;
    QString input;
    QString mode = u"all"_s;
    QString node;
    QString printRecords; // directory to write the generated records to
    QStringList files;
};

struct Group
{
    QString name;
    QStringList expressions;
};

[[noreturn]] void usage(const char *msg)
{
    if (msg)
        std::fprintf(stderr, "jsonata_bench: %s\n", msg);
    std::fprintf(
        stderr,
        "usage: jsonata_bench [--iterations N] [--warmup N] [--fanout K] [--input FILE]\n"
        "       [--mode compiled|compile-each|cached|all] [--node BENCH_LIF_JS] [--write-records DIR]\n"
        "       GROUP.json|DIR ...\n");
    std::exit(2);
}

QString fmt(double v)
{
    QString digits = QString::number(qint64(v + 0.5));
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, u',');
    return digits;
}

// The leaf value gen-lif-input.js guesses from a field name.
Value leafValue(const QString &key, int i)
{
    const QString k = key.toLower();
    static const QRegularExpression isHas(u"^(is|has)[A-Z]"_s);
    if (k.endsWith(u"indicator"_s) || isHas.match(key).hasMatch())
        return Value(i % 2 == 0);
    if (k.contains(u"latitude"_s))
        return Value(33.4484 + i);
    if (k.contains(u"longitude"_s))
        return Value(-112.074 - i);
    static const QRegularExpression numeric(u"priority|^credits?$|creditsavailable|count$"_s);
    if (numeric.match(k).hasMatch())
        return Value(i + 1);
    if (k.contains(u"date"_s) || k.contains(u"period"_s))
        return Value(u"2024-0%1-15"_s.arg(i % 9 + 1));
    if (k.contains(u"email"_s) && !k.contains(u"type"_s))
        return Value(u"student%1@example.edu"_s.arg(i + 1));
    if (k.endsWith(u"url"_s))
        return Value(u"https://example.org/%1/%2"_s.arg(key).arg(i + 1));
    static const char *const first[] = { "Jordan", "Avery", "Riley" };
    static const char *const last[] = { "Sample", "Example", "Tester" };
    static const char *const full[] = { "Jordan Q Sample", "Avery Example", "Riley M Tester" };
    if (k == u"firstname"_s)
        return Value(QString::fromLatin1(first[i % 3]));
    if (k == u"lastname"_s)
        return Value(QString::fromLatin1(last[i % 3]));
    if (k == u"name"_s)
        return Value(QString::fromLatin1(full[i % 3]));
    static const char *const races[] = { "American Indian or Alaska Native", "Asian",
                                         "Black or African American",
                                         "Native Hawaiian or Other Pacific Islander", "White" };
    if (k.contains(u"race"_s))
        return Value(QString::fromLatin1(races[i % 5]));
    return Value(u"%1-%2"_s.arg(key).arg(i + 1));
}

struct Trie
{
    std::vector<std::pair<QString, std::unique_ptr<Trie>>> children;
    Trie *child(const QString &name)
    {
        for (auto &c : children) {
            if (c.first == name)
                return c.second.get();
        }
        children.emplace_back(name, std::make_unique<Trie>());
        return children.back().second.get();
    }
};

Value buildRecord(const Trie &trie, int i, int fanout)
{
    Object obj;
    for (const auto &[name, sub] : trie.children) {
        if (sub->children.empty()) {
            obj.insert(name, leafValue(name, i));
        } else if (fanout == 1) {
            obj.insert(name, buildRecord(*sub, i, fanout));
        } else {
            std::vector<Value> items;
            for (int j = 0; j < fanout; ++j)
                items.push_back(buildRecord(*sub, j, fanout));
            obj.insert(name, Value::array(std::move(items)));
        }
    }
    return Value::object(std::move(obj));
}

// A result counts when it holds some non-null leaf (as bench-lif.js counts).
bool hasValue(const Value &v)
{
    if (v.isUndefined() || v.isNull())
        return false;
    if (v.isArray())
        return std::any_of(v.items().begin(), v.items().end(), hasValue);
    if (v.isObject())
        return std::any_of(v.members().begin(), v.members().end(),
                           [](const auto &m) { return hasValue(m.second); });
    return true;
}

Value generateRecord(const std::vector<Expression> &compiled, int fanout)
{
    Trie root;
    for (const Expression &e : compiled) {
        for (const QStringList &path : e.fieldPaths()) {
            Trie *t = &root;
            for (const QString &name : path)
                t = t->child(name);
        }
    }
    return buildRecord(root, 0, fanout);
}

std::vector<Group> loadGroups(const QStringList &paths)
{
    std::vector<Group> groups;
    QStringList files;
    for (const QString &p : paths) {
        QFileInfo fi(p);
        if (fi.isDir()) {
            const QDir dir(p);
            for (const QString &f : dir.entryList({ u"*.json"_s }, QDir::Files, QDir::Name))
                files << dir.filePath(f);
        } else {
            files << p;
        }
    }
    for (const QString &f : files) {
        QFile file(f);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "jsonata_bench: cannot read %s\n", qPrintable(f));
            std::exit(1);
        }
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
        Group g;
        g.name = QFileInfo(f).completeBaseName();
        for (const QJsonValue &t : doc.object().value(u"Transformations"_s).toArray()) {
            const QJsonObject o = t.toObject();
            const QString lang = o.value(u"ExpressionLanguage"_s).toString();
            if (o.value(u"Expression"_s).isString()
                && (lang.isEmpty() || lang.compare(u"jsonata"_s, Qt::CaseInsensitive) == 0))
                g.expressions << o.value(u"Expression"_s).toString();
        }
        groups.push_back(g);
    }
    return groups;
}

struct Figures
{
    double exprPerSec = 0;
    double recordsPerSec = 0;
};

Figures runMode(const QString &mode, const std::vector<Group> &groups, const Options &opt,
                const Value *fixedInput)
{
    double totalEvals = 0;
    double totalSecs = 0;
    double totalRecords = 0;
    std::printf("-- mode %s: %d iterations after %d warm-up rounds, fanout %d\n", qPrintable(mode),
                opt.iterations, opt.warmup, opt.fanout);
    for (const Group &g : groups) {
        std::vector<Expression> compiled;
        QStringList sources;
        QStringList failures;
        for (const QString &text : g.expressions) {
            JResult<Expression> e = Expression::compile(text);
            if (e.ok()) {
                compiled.push_back(e.value());
                sources << text;
            } else {
                failures << u"%1 %2"_s.arg(e.error().code, e.error().message);
            }
        }
        const Value record = fixedInput ? *fixedInput : generateRecord(compiled, opt.fanout);
        if (!opt.printRecords.isEmpty()) {
            QFile out(QDir(opt.printRecords).filePath(g.name + u".input.json"_s));
            if (out.open(QIODevice::WriteOnly))
                out.write(record.toJson(2).value());
        }
        int nonEmpty = 0;
        for (const Expression &e : compiled) {
            const JResult<Value> r = e.evaluate(record);
            if (r.ok() && hasValue(r.value()))
                ++nonEmpty;
        }
        auto round = [&]() {
            if (mode == u"compiled"_s) {
                for (const Expression &e : compiled)
                    (void)e.evaluate(record);
            } else if (mode == u"compile-each"_s) {
                for (const QString &s : sources)
                    (void)Expression::compile(s).value().evaluate(record);
            } else {
                for (const QString &s : sources)
                    (void)Expression::compileCached(s).value().evaluate(record);
            }
        };
        for (int i = 0; i < opt.warmup; ++i)
            round();
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < opt.iterations; ++i)
            round();
        const double secs = double(timer.nsecsElapsed()) / 1e9;
        const double evals = double(opt.iterations) * double(compiled.size());
        std::printf("== %s\n  expressions %d, compiled %d, non-empty result on the input %d/%d\n",
                    qPrintable(g.name), int(g.expressions.size()), int(compiled.size()), nonEmpty,
                    int(compiled.size()));
        for (const QString &f : failures)
            std::printf("  does not compile: %s\n", qPrintable(f));
        std::printf("  %s expressions/s, %s records/s, %.2f us/expression (%.2f s)\n",
                    qPrintable(fmt(evals / secs)), qPrintable(fmt(opt.iterations / secs)), secs * 1e6 / evals,
                    secs);
        totalEvals += evals;
        totalSecs += secs;
        totalRecords += opt.iterations;
    }
    Figures f { totalEvals / totalSecs, totalRecords / totalSecs / double(groups.size()) };
    // records/s over all groups: one record = one round of one group's expressions
    f.recordsPerSec = totalRecords / totalSecs;
    std::printf("== all groups (%s): %s expressions/s, %s records/s\n\n", qPrintable(mode),
                qPrintable(fmt(f.exprPerSec)), qPrintable(fmt(f.recordsPerSec)));
    std::fflush(stdout);
    return f;
}

// Runs bench-lif.js with the same files and options; returns its "all groups" figures.
bool runNode(const Options &opt, bool compileEach, Figures *out)
{
    QStringList args { opt.node,
                       u"--iterations"_s,
                       QString::number(opt.iterations),
                       u"--warmup"_s,
                       QString::number(opt.warmup),
                       u"--fanout"_s,
                       QString::number(opt.fanout) };
    if (compileEach)
        args << u"--compile-each"_s;
    if (!opt.input.isEmpty())
        args << u"--input"_s << opt.input;
    args << opt.files;
    QProcess p;
    p.setWorkingDirectory(QFileInfo(opt.node).absolutePath());
    p.start(u"node"_s, args);
    if (!p.waitForFinished(-1) || p.exitCode() != 0) {
        std::fprintf(stderr, "jsonata_bench: node %s failed: %s\n", qPrintable(args.join(u' ')),
                     p.readAllStandardError().constData());
        return false;
    }
    const QString text = QString::fromUtf8(p.readAllStandardOutput());
    static const QRegularExpression re(u"== all groups: ([0-9,]+) expressions/s, ([0-9,]+) records/s"_s);
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return false;
    out->exprPerSec = m.captured(1).remove(u',').toDouble();
    out->recordsPerSec = m.captured(2).remove(u',').toDouble();
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Options opt;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        auto next = [&]() {
            if (i + 1 >= args.size())
                usage("missing value for an option");
            return args.at(++i);
        };
        if (a == u"--iterations"_s)
            opt.iterations = next().toInt();
        else if (a == u"--warmup"_s)
            opt.warmup = next().toInt();
        else if (a == u"--fanout"_s)
            opt.fanout = next().toInt();
        else if (a == u"--input"_s)
            opt.input = next();
        else if (a == u"--mode"_s)
            opt.mode = next();
        else if (a == u"--node"_s)
            opt.node = next();
        else if (a == u"--write-records"_s)
            opt.printRecords = next();
        else if (a == u"-h"_s || a == u"--help"_s)
            usage(nullptr);
        else if (a.startsWith(u"--"_s))
            usage("unknown option");
        else
            opt.files << a;
    }
    if (opt.files.isEmpty() || opt.iterations < 1 || opt.warmup < 0 || opt.fanout < 1)
        usage("give MDR group files or a directory of them");
    const QStringList modes = opt.mode == u"all"_s
        ? QStringList { u"compiled"_s, u"cached"_s, u"compile-each"_s }
        : QStringList { opt.mode };
    for (const QString &m : modes) {
        if (m != u"compiled"_s && m != u"compile-each"_s && m != u"cached"_s)
            usage("unknown --mode");
    }
    std::vector<Group> groups = loadGroups(opt.files);
    Value fixed;
    if (!opt.input.isEmpty()) {
        QFile f(opt.input);
        if (!f.open(QIODevice::ReadOnly))
            usage("cannot read --input");
        auto parsed = Value::fromJson(f.readAll());
        if (!parsed.ok())
            usage("--input is not JSON");
        fixed = parsed.value();
    }
    std::map<QString, Figures> ours;
    for (const QString &m : modes)
        ours[m] = runMode(m, groups, opt, opt.input.isEmpty() ? nullptr : &fixed);

    if (!opt.node.isEmpty()) {
        // expand directories for node, which wants files
        QStringList files;
        for (const QString &p : opt.files) {
            if (QFileInfo(p).isDir()) {
                const QDir dir(p);
                for (const QString &f : dir.entryList({ u"*.json"_s }, QDir::Files, QDir::Name))
                    files << dir.absoluteFilePath(f);
            } else {
                files << QFileInfo(p).absoluteFilePath();
            }
        }
        Options nodeOpt = opt;
        nodeOpt.files = files;
        Figures jsCompiled, jsEach;
        const bool okCompiled = runNode(nodeOpt, false, &jsCompiled);
        const bool okEach = runNode(nodeOpt, true, &jsEach);
        std::printf("-- jsonata-js (bench-lif.js) on the same machine\n");
        if (okCompiled)
            std::printf("  compiled:     %s expressions/s, %s records/s\n",
                        qPrintable(fmt(jsCompiled.exprPerSec)), qPrintable(fmt(jsCompiled.recordsPerSec)));
        if (okEach)
            std::printf("  compile-each: %s expressions/s, %s records/s\n",
                        qPrintable(fmt(jsEach.exprPerSec)), qPrintable(fmt(jsEach.recordsPerSec)));
        std::printf("-- ratios (lifdag / jsonata-js)\n");
        if (okCompiled && ours.count(u"compiled"_s))
            std::printf("  compiled vs compiled:         %.1fx\n",
                        ours[u"compiled"_s].exprPerSec / jsCompiled.exprPerSec);
        if (okEach && ours.count(u"compile-each"_s))
            std::printf("  compile-each vs compile-each: %.1fx\n",
                        ours[u"compile-each"_s].exprPerSec / jsEach.exprPerSec);
        if (okEach && ours.count(u"cached"_s))
            std::printf("  cached vs compile-each:       %.1fx  (lifdag's Transformer vs LIF's translator)\n",
                        ours[u"cached"_s].exprPerSec / jsEach.exprPerSec);
    }
    return 0;
}
