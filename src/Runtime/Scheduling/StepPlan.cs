using System.Runtime.InteropServices;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// What one iteration of the continuous scheduler runs, as its <see cref="StepPlanner"/> decided: the decoding slots
/// and the prompt chunks, within the token budget. With mixed steps it is one call (<see cref="Rows"/>,
/// <see cref="Tokens"/>, <see cref="Counts"/>, <see cref="PastLengths"/>); with separate steps the chunks run first,
/// each in a call of its own, then the planner names the decoding slots (a prompt finished by a chunk decodes in the
/// same iteration).
/// </summary>
/// <remarks>Owned by its planner and reused each iteration; valid until the next <see cref="StepPlanner.Plan"/>. Scheduler thread only.</remarks>
internal sealed class StepPlan
{
    private readonly List<int> _tokens = [];

    /// <summary>Creates the plan buffers of a cache of <paramref name="slots"/> slots.</summary>
    public StepPlan(int slots)
    {
        Counts = new int[slots];
        PastLengths = new int[slots];
        Drafted = new int[slots];
        LogitCounts = new int[slots];
    }

    /// <summary>Gets a value indicating whether the step is one call carrying decode tokens and prompt chunks together.</summary>
    public bool Mixed { get; private set; }

    /// <summary>Gets the slots that decode one token in a mixed step, lowest first (empty with separate steps).</summary>
    public List<int> Decodes { get; } = [];

    /// <summary>Gets the prompt chunks, in order of admission.</summary>
    public List<PrefillChunk> Chunks { get; } = [];

    /// <summary>Gets the rows of a mixed step: slots [0, <see cref="Rows"/>).</summary>
    public int Rows { get; private set; }

    /// <summary>Gets, per row of a mixed step, how many tokens it feeds (0: idle).</summary>
    public int[] Counts { get; }

    /// <summary>Gets, per row of a mixed step, the entries its cache holds before the step.</summary>
    public int[] PastLengths { get; }

    /// <summary>Gets, per row of a mixed step, how many drafted tokens its decode input is followed by (speculation; 0: none).</summary>
    public int[] Drafted { get; }

    /// <summary>Gets a value indicating whether a row drafted tokens, so the step asks <see cref="LogitCounts"/> of the decoder.</summary>
    public bool Verifies { get; private set; }

    /// <summary>Gets, per row of a mixed step that verifies, how many of its last positions give logits: 1 + its drafts for a decoding row, 1 for a prompt chunk, 0 when idle.</summary>
    public int[] LogitCounts { get; }

    /// <summary>Gets the tokens a mixed step feeds, row after row.</summary>
    public ReadOnlySpan<int> Tokens => CollectionsMarshal.AsSpan(_tokens);

    /// <summary>Gets the prompt tokens the step prefills.</summary>
    public int PrefillTokens
    {
        get
        {
            var tokens = 0;
            foreach (var chunk in Chunks)
            {
                tokens += chunk.Count;
            }

            return tokens;
        }
    }

    /// <summary>Empties the plan for a step of the given kind.</summary>
    internal void Reset(bool mixed)
    {
        Mixed = mixed;
        Decodes.Clear();
        Chunks.Clear();
        _tokens.Clear();
        Rows = 0;
        Verifies = false;
        Array.Clear(Counts);
        Array.Clear(Drafted);
    }

    /// <summary>Gives a decoding row <paramref name="drafted"/> drafted tokens after its input.</summary>
    internal void Draft(int slot, int drafted)
    {
        Drafted[slot] = drafted;
        Counts[slot] = 1 + drafted;
        Verifies = true;
    }

    /// <summary>The step verifies: sets each row's logit count from its tokens and drafts.</summary>
    internal void CountLogits()
    {
        for (var slot = 0; slot < Rows; slot++)
        {
            LogitCounts[slot] = Counts[slot] == 0 ? 0 : 1 + Drafted[slot];
        }
    }

    /// <summary>Sets the rows of a mixed step: slots [0, <paramref name="rows"/>).</summary>
    internal void SetRows(int rows) => Rows = rows;

    /// <summary>Appends the next row's tokens to a mixed step's input.</summary>
    internal void Feed(ReadOnlySpan<int> tokens) => _tokens.AddRange(tokens);
}
