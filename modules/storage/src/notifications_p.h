// Private: notification plumbing behind Storage::notify()/subscribe().
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <functional>
#include <future>
#include <memory>

namespace lifdag::storage::detail {

using PayloadCallback = std::function<void(const QString &payload)>;

// SQLite: delivers to this process's subscribers of `key` and to those of the other processes on
// the same database (key: "<database>#<channel>").
void notifyLocal(const QString &key, const QString &payload = {});
std::shared_ptr<void> subscribeLocal(const QString &key, PayloadCallback callback);
Result<std::shared_ptr<void>> subscribePostgres(const Settings &settings, const QString &channel,
                                                PayloadCallback callback);

} // namespace lifdag::storage::detail
