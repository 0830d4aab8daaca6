#include <lifdag/adapters/declarative.h>
#include <lifdag/adapters/plugin.h>
#include <lifdag/adapters/registry.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLibrary>
#include <QPluginLoader>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

Status AdapterRegistry::add(AdapterPtr adapter, const QString &origin)
{
    if (!adapter)
        return Error { u"adapters.registry"_s, origin + u": no adapter"_s };
    const QString id = adapter->id();
    if (id.isEmpty())
        return Error { u"adapters.registry"_s, origin + u": an adapter has an empty id"_s };
    if (const auto it = m_adapters.constFind(id); it != m_adapters.constEnd())
        return Error { u"adapters.duplicate"_s,
                       origin + u": adapter id '"_s + id + u"' is already taken by "_s + it->origin
                           + u"; ignored"_s };
    m_adapters.insert(id, Entry { std::move(adapter), origin });
    return {};
}

AdapterPtr AdapterRegistry::find(const QString &adapterId) const
{
    const auto it = m_adapters.constFind(adapterId);
    return it == m_adapters.constEnd() ? nullptr : it->adapter;
}

QStringList AdapterRegistry::ids() const
{
    return m_adapters.keys();
}

QString AdapterRegistry::origin(const QString &adapterId) const
{
    return m_adapters.value(adapterId).origin;
}

QStringList AdapterRegistry::loadPlugins(const QString &directory)
{
    QStringList problems;
    const QDir dir(directory);
    if (!dir.exists())
        return { u"adapter plugin directory "_s + directory + u" does not exist"_s };
    const QFileInfoList files = dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo &file : files) {
        if (!QLibrary::isLibrary(file.fileName()))
            continue;
        const QString path = file.absoluteFilePath();
        QPluginLoader loader(path);
        const QString iid = loader.metaData().value(u"IID"_s).toString();
        if (iid.isEmpty()) {
            problems.append(path + u": not a Qt plugin ("_s + loader.errorString() + u')');
            continue;
        }
        if (iid != QLatin1StringView(LifdagAdapterPlugin_iid)) {
            problems.append(path + u": implements "_s + iid + u", not "_s
                            + QLatin1StringView(LifdagAdapterPlugin_iid)
                            + u"; rebuild it against this lifdag"_s);
            continue;
        }
        QObject *instance = loader.instance(); // stays loaded for the life of the process
        auto *plugin = qobject_cast<AdapterPlugin *>(instance);
        if (!plugin) {
            problems.append(path + u": cannot be loaded: "_s + loader.errorString());
            continue;
        }
        const QList<AdapterPtr> adapters = plugin->adapters();
        if (adapters.isEmpty())
            problems.append(path + u": the plugin offers no adapters"_s);
        for (const AdapterPtr &adapter : adapters) {
            if (const Status s = add(adapter, u"plugin "_s + path); !s)
                problems.append(s.error().message);
        }
    }
    return problems;
}

QStringList AdapterRegistry::loadDefinitions(const QString &path)
{
    QStringList files;
    const QFileInfo info(path);
    if (info.isDir()) {
        const QDir dir(path);
        for (const QFileInfo &f : dir.entryInfoList({ u"*.yaml"_s, u"*.yml"_s }, QDir::Files, QDir::Name))
            files.append(f.absoluteFilePath());
    } else if (info.isFile()) {
        files.append(info.absoluteFilePath());
    } else {
        return { u"adapter definition path "_s + path + u" does not exist"_s };
    }
    QStringList problems;
    for (const QString &file : files) {
        auto adapter = DeclarativeHttpAdapter::fromFile(file);
        if (!adapter) {
            problems.append(adapter.error().message);
            continue;
        }
        if (const Status s = add(*adapter, u"definition "_s + file); !s)
            problems.append(s.error().message);
    }
    return problems;
}

std::shared_ptr<AdapterRegistry> AdapterRegistry::fromEnvironment(QStringList *problems,
                                                                  const QProcessEnvironment &environment)
{
    auto registry = std::make_shared<AdapterRegistry>();
    registry->addBuiltins();
    QStringList found;
    for (const QString &dir : environment.value(kPluginPathVariable).split(u':', Qt::SkipEmptyParts))
        found += registry->loadPlugins(dir);
    for (const QString &path : environment.value(kDefinitionsPathVariable).split(u':', Qt::SkipEmptyParts))
        found += registry->loadDefinitions(path);
    if (problems)
        *problems = found;
    return registry;
}

} // namespace lifdag::adapters
