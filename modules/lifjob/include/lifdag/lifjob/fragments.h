// Cutting requested fragments out of a whole LIF person, exactly as LIF's query planner utility
// (adjust_lif_fragments_for_initial_orchestrator_simplification) and run_translation do it.
#pragma once

#include <lifdag/adapters/model.h>
#include <lifdag/core/result.h>

#include <QStringList>

namespace lifdag::lifjob {

// For every fragment with path "person.all", walks each desired path ("person.employmentPreferences")
// into fragment[0] as "person.0.employmentPreferences": object keys match case-insensitively (a
// translator may answer "Person"), digits index lists. Where the last key is found, a fragment with
// the desired path and the value found (a list as it is, anything else wrapped in a list) is added.
// An empty list on the way ends that path; a key that is missing or meets the wrong type is passed
// over (logged in `notes`). Other fragments are kept as they are. Errors where Python raises: an
// index past the end of a list, a `key in value` test on a number/boolean/null, indexing a list or
// text with a key, or a found fragment that is not a list of objects.
Result<QList<adapters::Fragment>>
adjustFragmentsForInitialOrchestratorSimplification(const QList<adapters::Fragment> &fragments,
                                                    const QStringList &desiredPaths,
                                                    QStringList *notes = nullptr);

// run_translation's last step: wraps `translated` as fragment person.all, cuts the desired paths out
// of it and returns one fragment per desired path, in order - the first one found for that path, or
// an empty one. Every desired path must start with "person." or "Person.".
Result<QList<adapters::Fragment>> requestedFragments(const QJsonValue &translated,
                                                     const QStringList &desiredPaths,
                                                     QStringList *notes = nullptr);

} // namespace lifdag::lifjob
