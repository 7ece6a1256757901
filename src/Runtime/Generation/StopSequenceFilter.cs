namespace Ember.Runtime.Generation;

/// <summary>
/// Cuts streamed text at the first of a set of stop strings, even when one arrives split across pieces:
/// text that could still be the start of a stop string is held back until the next piece decides.
/// </summary>
/// <remarks>One filter per response; not thread-safe.</remarks>
internal sealed class StopSequenceFilter
{
    private readonly string[] _stops;
    private string _pending = string.Empty;

    /// <summary>Creates a filter.</summary>
    /// <param name="stops">The stop strings; none makes the filter pass everything through.</param>
    public StopSequenceFilter(IReadOnlyList<string> stops)
    {
        ArgumentNullException.ThrowIfNull(stops);
        _stops = stops.Where(stop => stop.Length > 0).ToArray();
    }

    /// <summary>Gets a value indicating whether a stop string was found; later pieces are ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds a piece and returns the text that is now safe to send.</summary>
    /// <param name="piece">The next piece of generated text.</param>
    /// <returns>Text before any stop string that can no longer turn into one; may be empty.</returns>
    public string Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (Stopped)
        {
            return string.Empty;
        }

        if (_stops.Length == 0)
        {
            return piece;
        }

        string text = _pending + piece;
        int cut = -1;
        foreach (string stop in _stops)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }

        if (cut >= 0)
        {
            Stopped = true;
            _pending = string.Empty;
            return text[..cut];
        }

        int hold = HeldBack(text);
        _pending = text[(text.Length - hold)..];
        return text[..(text.Length - hold)];
    }

    /// <summary>Returns the text held back at the end of generation.</summary>
    /// <returns>The rest; empty after a stop.</returns>
    public string Flush()
    {
        string rest = Stopped ? string.Empty : _pending;
        _pending = string.Empty;
        return rest;
    }

    /// <summary>The length of the longest end of <paramref name="text"/> that begins some stop string.</summary>
    private int HeldBack(string text)
    {
        int longest = 0;
        foreach (string stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
