// Declarative HTTP adapters: an adapter described in a YAML file (request method, URL template,
// headers from credentials, a JSONata expression that shapes the answer), loaded at run time from
// LIFDAG_ADAPTER_DEFINITIONS_PATH. The format is documented in adapters/README.md.
#pragma once

#include <lifdag/adapters/adapter.h>

#include <memory>

namespace lifdag::adapters {

class DeclarativeHttpAdapter final : public Adapter
{
public:
    // Parses one definition. Errors name "file:line:column: problem".
    static Result<std::shared_ptr<DeclarativeHttpAdapter>>
    fromYaml(const QByteArray &yaml, const QString &fileName = QStringLiteral("<yaml>"));
    static Result<std::shared_ptr<DeclarativeHttpAdapter>> fromFile(const QString &path);

    ~DeclarativeHttpAdapter() override;
    QString id() const override;
    AdapterType type() const override;
    QStringList credentialKeys() const override;
    QString description() const override;
    Result<AdapterOutput> run(const QueryPlanPart &part, const Credentials &credentials,
                              const AdapterContext &context) const override;

    struct Definition;
    explicit DeclarativeHttpAdapter(std::unique_ptr<const Definition> definition);

private:
    std::unique_ptr<const Definition> m_definition;
};

} // namespace lifdag::adapters
