// The interface an adapter plugin implements: a Qt plugin (a shared library built against the same
// Qt and lifdag headers) that hands lifdag one or more adapters. lifdag loads every plugin in the
// directories of LIFDAG_ADAPTER_PLUGIN_PATH when a run first needs an adapter.
//
//   class MyPlugin : public QObject, public lifdag::adapters::AdapterPlugin
//   {
//       Q_OBJECT
//       Q_PLUGIN_METADATA(IID LifdagAdapterPlugin_iid FILE "myplugin.json")
//       Q_INTERFACES(lifdag::adapters::AdapterPlugin)
//   public:
//       QList<lifdag::adapters::AdapterPtr> adapters() const override
//       { return { std::make_shared<MyAdapter>() }; }
//   };
//
// myplugin.json: {"adapters": ["my-adapter-id"], "description": "…"} (informational; what counts is
// what adapters() returns). adapters/examples/plugin/ is a complete example with its CMake file.
// The interface id carries a version: a plugin built against another version is refused with a
// message, never loaded.
#pragma once

#include <lifdag/adapters/adapter.h>
#include <lifdag/adapters/registry.h>

#include <QList>
#include <QtPlugin>

namespace lifdag::adapters {

class AdapterPlugin
{
public:
    virtual ~AdapterPlugin() = default;
    // Called once after loading. The adapters must stay valid for the life of the process (lifdag
    // never unloads a plugin) and be safe to run from several threads at once.
    virtual QList<AdapterPtr> adapters() const = 0;
};

} // namespace lifdag::adapters

#define LifdagAdapterPlugin_iid "org.lifdag.adapters.AdapterPlugin/1.0"
Q_DECLARE_INTERFACE(lifdag::adapters::AdapterPlugin, LifdagAdapterPlugin_iid)
