// The adapters every lifdag build carries. A new built-in adds one line here.
#include <lifdag/adapters/lifadapters.h>
#include <lifdag/adapters/registry.h>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

void AdapterRegistry::addBuiltins()
{
    const AdapterPtr builtins[] = {
        std::make_shared<LifToLifAdapter>(),
        std::make_shared<ExampleDataSourceRestAdapter>(),
    };
    for (const AdapterPtr &adapter : builtins)
        (void)add(adapter, u"built-in"_s); // ids are unique by construction
}

} // namespace lifdag::adapters
