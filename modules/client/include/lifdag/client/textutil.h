// Text helpers of the desktop's editors: where a config path (ops.fan_out.config.count, items[2])
// sits in JSON text, and a line diff between two texts.
#pragma once

#include <QList>
#include <QString>

namespace lifdag::client {

struct TextLocation
{
    bool found = false; // false: not even an ancestor of the path is in the text (root)
    bool exact = false; // the path itself (not only an ancestor) is in the text
    int offset = 0; // character offset of the member's key (or the element's value)
    int length = 0;
    int line = 1; // 1-based
    int column = 1; // 1-based
    QString matchedPath; // the deepest part of the path found
};

// Locates `path` (dots between keys, [n] for array elements; empty = the root) in `json`. Missing
// paths (a required key not given) resolve to the nearest ancestor that is there. Tolerates text
// the JSON parser would reject after the path.
TextLocation locateJsonPath(const QString &json, const QString &path);

// Line and column (1-based) of a character offset.
void lineAndColumn(const QString &text, int offset, int *line, int *column);

struct DiffLine
{
    char kind = ' '; // ' ' same, '-' only in the old text, '+' only in the new one
    QString text;
    int oldLine = 0; // 1-based, 0 when not in the old text
    int newLine = 0;
};

// A line diff (longest common subsequence) of `before` and `after`.
QList<DiffLine> diffLines(const QString &before, const QString &after);

} // namespace lifdag::client
