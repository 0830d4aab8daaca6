// The adapters a process knows: the built-ins, Qt plugins from LIFDAG_ADAPTER_PLUGIN_PATH and
// declarative HTTP adapters from LIFDAG_ADAPTER_DEFINITIONS_PATH (see adapters/README.md).
#pragma once

#include <lifdag/adapters/adapter.h>
#include <lifdag/core/result.h>

#include <QMap>
#include <QProcessEnvironment>
#include <QStringList>

#include <memory>

namespace lifdag::adapters {

inline constexpr QLatin1StringView kPluginPathVariable("LIFDAG_ADAPTER_PLUGIN_PATH");
inline constexpr QLatin1StringView kDefinitionsPathVariable("LIFDAG_ADAPTER_DEFINITIONS_PATH");

using AdapterPtr = std::shared_ptr<const Adapter>;

class AdapterRegistry
{
public:
    // Adds an adapter; an empty id or an id already taken is an error naming both origins.
    // `origin` says where it came from ("built-in", "plugin /x/libfoo.so", "definition /x/a.yaml").
    Status add(AdapterPtr adapter, const QString &origin);

    AdapterPtr find(const QString &adapterId) const; // null when unknown
    QStringList ids() const; // sorted
    QString origin(const QString &adapterId) const;
    qsizetype size() const { return m_adapters.size(); }

    // lif-to-lif and example-data-source-rest-api-to-lif (src/builtins.cpp lists them).
    void addBuiltins();

    // Loads every Qt plugin in `directory` that implements lifdag::adapters::AdapterPlugin (see
    // plugin.h) and adds its adapters. Returns one line per problem (a file that is not a plugin of
    // ours, a load error, a duplicate id); the good ones are added regardless.
    QStringList loadPlugins(const QString &directory);
    // Loads one declarative adapter file, or every *.yaml/*.yml file of a directory (see
    // declarative.h). Returns one line per problem, each naming file:line.
    QStringList loadDefinitions(const QString &path);

    // The built-ins plus every directory of LIFDAG_ADAPTER_PLUGIN_PATH and every path of
    // LIFDAG_ADAPTER_DEFINITIONS_PATH (both ':'-separated). Problems are returned in `problems`.
    static std::shared_ptr<AdapterRegistry>
    fromEnvironment(QStringList *problems,
                    const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

private:
    struct Entry
    {
        AdapterPtr adapter;
        QString origin;
    };
    QMap<QString, Entry> m_adapters;
};

} // namespace lifdag::adapters
