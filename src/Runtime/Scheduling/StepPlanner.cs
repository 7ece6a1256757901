using Ember.Runtime.Generation;
using Ember.Runtime.Options;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// The continuous scheduler's decisions, with no native call: which request takes which slot (admission in order of
/// arrival, prefix reuse, which kept history is given up), what each step runs within its token budget, and which
/// sequences end (<see cref="FinishRule"/>). <see cref="StepExecutor"/> runs its plans on the decoder; the scheduler's
/// tests run them on a scripted one.
/// </summary>
/// <remarks>
/// <para>
/// The budget, mixed steps (vLLM's <c>max_num_batched_tokens</c>): every decoding sequence takes one token of the
/// step's <c>B</c> = <c>StepTokens</c> first; prompt chunks take the rest, oldest admission first: the oldest takes
/// what its prompt still needs, the next what is left. A step never holds more than <c>B</c> tokens. Separate steps:
/// <c>PrefillChunkTokens</c> prompt tokens, in the same order, then every decoding sequence one token.
/// </para>
/// <para>
/// Fairness, in tokens: requests are admitted in order of arrival (the queue is FIFO), and a newer prompt never
/// starts before an older one finished, so at most one prompt is half done. A sequence admitted behind prompts that
/// still have <c>W</c> tokens to prefill, with a prompt of <c>P</c> tokens, gets its first token in the first step by
/// whose end the steps since its admission gave prompts <c>W</c> + <c>P</c> tokens. A step gives prompts
/// <c>B</c> − <c>D</c> tokens, <c>D</c> being the sequences decoding in it, and <c>D</c> ≤ cap − 1 while any prompt
/// waits; so it comes within ⌈(<c>W</c> + <c>P</c>) / (<c>B</c> − cap + 1)⌉ steps (<c>StepTokens</c> ≥ cap is
/// validated at start-up, and its default, cap + <c>PrefillChunkTokens</c>, makes the divisor at least
/// <c>PrefillChunkTokens</c> + 1). Separate steps: within ⌈(<c>W</c> + <c>P</c>) / <c>PrefillChunkTokens</c>⌉ steps.
/// As <c>W</c> is at most (cap − 1) × the context limit, no admitted request waits without bound.
/// </para>
/// <para>
/// LoRA adapters, <see cref="LoraBatching.Groups"/> (kept to compare with <see cref="LoraBatching.PerRow"/>, the
/// default, where any mix of adapters runs in a step): a step runs the rows of one group only, the sequences of one
/// adapter or of none (<see cref="AdapterTurns"/>): mixed, its decode tokens and its prompts in order of admission
/// within the budget; separate, its decode rows (each prompt chunk runs alone anyway). A group holding a slot runs at
/// least once in any G steps, G being the groups holding slots (at most the adapters served + 1, and at most the
/// cap), and its prompts get <c>B</c> − cap + 1 tokens or more of each of its steps; so the bound above holds with
/// <c>W</c> counting only the group's own older prompts and the steps multiplied by G.
/// </para>
/// <para>
/// Retention (prefix caching): a free slot keeps its last sequence's entries until a request takes it. A request
/// whose prompt starts with a kept history's first 16 tokens or more reuses them; the history given up for a request
/// that reuses none is the one used least recently, and <see cref="SlotRetention"/> says whether histories move to
/// keep steps narrow.
/// </para>
/// <para>Scheduler thread only, except <see cref="Active"/>.</para>
/// </remarks>
internal sealed class StepPlanner
{
    /// <summary>Most prompt tokens in one prefill call of separate steps: it returns logits for every position, so this bounds their memory.</summary>
    public const int MaxPrefillCallTokens = 1024;

    private readonly PlannerSettings _settings;
    private readonly int _maxLength;
    private readonly SlotSequence?[] _slots;
    private readonly SlotHistory _history;
    private readonly int[] _valid;

    /// <summary>Per slot, when a sequence last began or ended in it (a clock of such events): the age of what it keeps.</summary>
    private readonly long[] _usedAt;

    /// <summary>The slots still prefilling, in order of admission: the order the budget goes to prompts in.</summary>
    private readonly List<int> _prefillOrder;
    private readonly StepPlan _plan;

    /// <summary>Speculation's drafter (null when off), and each slot's draft of the step planned.</summary>
    private readonly NgramDrafter? _drafter;
    private readonly int[][] _drafts;

    /// <summary>Per slot, the most tokens its sequence drafts next: halved toward what its last verification kept, doubled back while every draft is kept.</summary>
    private readonly int[] _draftLimits;
    /// <summary>Which adapter group runs next (<see cref="LoraBatching.Groups"/>); null: every row runs (<see cref="LoraBatching.PerRow"/>).</summary>
    private readonly AdapterTurns? _turns;
    private long _clock;
    private int _active;

    /// <summary>Creates the planner of a cache of <paramref name="slots"/> slots of <paramref name="maxLength"/> tokens.</summary>
    public StepPlanner(int slots, int maxLength, PlannerSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MixedSteps ? settings.StepTokens : settings.PrefillChunkTokens, 1);
        _settings = settings;
        _maxLength = maxLength;
        _slots = new SlotSequence?[slots];
        _history = new SlotHistory(slots, maxLength, settings.PrefixCaching);
        _valid = new int[slots];
        _usedAt = new long[slots];
        _prefillOrder = new List<int>(slots);
        _plan = new StepPlan(slots);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.SpeculativeTokens);
        var speculating = settings.MixedSteps && settings.SpeculativeTokens > 0;
        _drafter = speculating ? new NgramDrafter(slots, maxLength) : null;
        _drafts = speculating ? [.. Enumerable.Range(0, slots).Select(_ => new int[settings.SpeculativeTokens])] : [];
        _draftLimits = new int[slots];
        _turns = settings.LoraBatching == LoraBatching.Groups ? new AdapterTurns() : null;
    }

    /// <summary>Gets the most tokens a sequence drafts a step (0: speculation is off).</summary>
    public int SpeculativeTokens => _drafter is null ? 0 : _settings.SpeculativeTokens;

    /// <summary>Gets the sequences holding a slot; read from any thread.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Gets the slots of the cache.</summary>
    public int Slots => _slots.Length;

    /// <summary>Gets a value indicating whether steps are mixed.</summary>
    public bool MixedSteps => _settings.MixedSteps;

    /// <summary>Gets a value indicating whether finished sequences' entries are kept for later prompts.</summary>
    public bool PrefixCaching => _history.Enabled;

    /// <summary>Gets how many free slots keep a finished sequence's entries (conversations retained).</summary>
    public int Retained => _history.Kept;

    /// <summary>Gets the sequence in <paramref name="slot"/>, or <see langword="null"/> when it is free.</summary>
    public SlotSequence? this[int slot] => _slots[slot];

    /// <summary>Tokens whose entries the free <paramref name="slot"/> keeps (0 for a busy slot).</summary>
    public int RetainedIn(int slot) => _history.Retained(slot);

    /// <summary>
    /// Takes the next request waiting in <paramref name="queue"/> into a free slot, when one is free; a request abandoned
    /// while it waited is finished and skipped. The executor runs the admission's copies before the next call.
    /// </summary>
    /// <returns>Whether a request was admitted.</returns>
    public bool TryAdmit(RequestQueue queue, out Admission admission)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var lowestFree = Array.IndexOf(_slots, null);
        while (lowestFree >= 0)
        {
            var taken = queue.TakeWave(1, static (_, _) => false);
            if (taken.Count == 0)
            {
                break;
            }

            if (!taken[0].FinishIfAbandoned())
            {
                admission = Place(taken[0], lowestFree);
                return true;
            }
        }

        admission = default;
        return false;
    }

    /// <summary>A copy of <paramref name="admission"/> failed: a moved history is not kept, and the prompt is prefilled from its start.</summary>
    public void CopyFailed(Admission admission, KvCopy copy)
    {
        if (copy == admission.Evacuation)
        {
            _history.Forget(copy.To);
            return;
        }

        _slots[admission.Slot]!.Length = 0;
        if (_slots[copy.From] is null)
        {
            _history.Forget(copy.From);
        }
    }

    /// <summary>
    /// Plans the next step over the sequences holding slots. Mixed: every decoding sequence one token, then prompt
    /// chunks, oldest admission first, within <c>StepTokens</c>. Separate: prompt chunks within <c>PrefillChunkTokens</c>
    /// (a whole prompt each where the provider cannot chunk), the decode step coming from <see cref="DecodeInputs"/>.
    /// </summary>
    /// <returns>The plan, valid until the next call.</returns>
    public StepPlan Plan()
    {
        _plan.Reset(_settings.MixedSteps);
        var budget = _settings.MixedSteps ? _settings.StepTokens : _settings.PrefillChunkTokens;
        var group = _settings.MixedSteps && _turns is { } turns ? turns.Next(_slots, decodingOnly: false) : AdapterTurns.Every;
        if (_settings.MixedSteps)
        {
            for (var slot = 0; slot < _slots.Length; slot++)
            {
                if (_slots[slot] is { IsPrefilling: false } decoding && AdapterTurns.Runs(decoding, group))
                {
                    _plan.Decodes.Add(slot);
                    _plan.Counts[slot] = 1;
                }
            }

            budget -= _plan.Decodes.Count;
        }

        foreach (var slot in _prefillOrder)
        {
            var sequence = _slots[slot]!;
            if (!AdapterTurns.Runs(sequence, group))
            {
                continue;
            }

            var prompt = sequence.Request.PromptTokens.Length;
            for (var start = sequence.Length; start < prompt && budget > 0;)
            {
                var count = _settings.MixedSteps ? Math.Min(prompt - start, budget)
                    : _settings.ChunkedPrefill ? Math.Min(prompt - start, Math.Min(budget, MaxPrefillCallTokens))
                    : prompt - start;
                _plan.Chunks.Add(new PrefillChunk(slot, start, count, start + count == prompt));
                _plan.Counts[slot] = _settings.MixedSteps ? count : 0;
                budget -= count;
                start += count;
            }

            if (budget <= 0)
            {
                break;
            }
        }

        if (_drafter is not null && budget > 0)
        {
            Draft(budget);
        }

        if (_settings.MixedSteps)
        {
            LayMixedStep();
        }

        return _plan;
    }

    /// <summary>Whether <paramref name="chunk"/> of a plan still fits its slot: its sequence is there and has prefilled up to its start (not failed meanwhile).</summary>
    public bool Expects(PrefillChunk chunk) => _slots[chunk.Slot] is { } sequence && sequence.Length == chunk.Start;

    /// <summary>A chunk ran; returns whether its prompt is complete, so its logits give the sequence's first token.</summary>
    public bool Prefilled(PrefillChunk chunk)
    {
        var sequence = _slots[chunk.Slot]!;
        sequence.Length += chunk.Count;
        if (sequence.IsPrefilling)
        {
            return false;
        }

        _prefillOrder.Remove(chunk.Slot);
        return true;
    }

    /// <summary>
    /// The decode step of separate steps, over slots [0, highest decoding + 1): the inputs per slot (a slot still
    /// prefilling runs a throw-away row at its length, which its next chunk overwrites; a free slot writes just past
    /// the entries it keeps).
    /// </summary>
    /// <param name="tokens">Per slot, its input token (0 for a throw-away row).</param>
    /// <param name="lengths">Per slot, the position its row writes at.</param>
    /// <param name="decoding">The decoding slots, lowest first (cleared first).</param>
    /// <returns>The rows; 0 when nothing decodes.</returns>
    public int DecodeInputs(Span<int> tokens, Span<int> lengths, List<int> decoding)
    {
        ArgumentNullException.ThrowIfNull(decoding);
        decoding.Clear();
        var rows = 0;
        var group = _turns?.Next(_slots, decodingOnly: true) ?? AdapterTurns.Every;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var sequence = _slots[slot];
            // A decoding sequence of another adapter group (Groups) runs a throw-away row at its length, as a prompt does.
            var decodes = sequence is { IsPrefilling: false } && AdapterTurns.Runs(sequence, group);
            tokens[slot] = decodes ? sequence!.NextInput : 0;
            lengths[slot] = sequence?.Length ?? _history.Retained(slot);
            if (decodes)
            {
                rows = slot + 1;
                decoding.Add(slot);
            }
        }

        return rows;
    }

    /// <summary>A decode row of the slot ran: its input token's entry is in the cache.</summary>
    public void Decoded(int slot)
    {
        var sequence = _slots[slot]!;
        _history.Fed(slot, sequence.Length, sequence.NextInput);
        sequence.Length++;
    }

    /// <summary>
    /// The slot's sequence picked <paramref name="token"/> (and published it unless it was the end token): whether it
    /// ends (<see cref="FinishRule"/>); if not, the token is its next input.
    /// </summary>
    /// <param name="slot">The slot.</param>
    /// <param name="token">The token picked.</param>
    /// <param name="stopped">Whether its text completed a stop string, or the structured value is final.</param>
    /// <returns>Why it ends, or <see langword="null"/>.</returns>
    public FinishReason? Accept(int slot, int token, bool stopped)
    {
        var sequence = _slots[slot]!;
        sequence.NextInput = token;
        sequence.Generated++;
        _drafter?.Append(slot, token);
        return FinishRule.Decide(token, _settings.EosTokenId, stopped, sequence.Generated, sequence.Request.MaxTokens, sequence.Length + 1 >= _maxLength);
    }

    /// <summary>Frees the slot; its entries stay for a later prompt (prefix caching). Returns the sequence that held it, or <see langword="null"/>.</summary>
    public SlotSequence? Release(int slot)
    {
        if (_slots[slot] is not { } sequence)
        {
            return null;
        }

        _history.Retain(slot, sequence.Length);
        _usedAt[slot] = ++_clock;
        _prefillOrder.Remove(slot);
        _slots[slot] = null;
        Volatile.Write(ref _active, _active - 1);
        return sequence;
    }

    /// <summary>The slot's entries cannot be trusted (a failed call wrote it): it keeps nothing.</summary>
    public void Forget(int slot) => _history.Forget(slot);

    /// <summary>Chooses the request's slot and copies (see <see cref="SlotRetention"/>) and gives it the slot.</summary>
    private Admission Place(SequenceRequest request, int lowestFree)
    {
        var prompt = request.PromptTokens;
        var highestBusy = -1;
        for (var i = 0; i < _slots.Length; i++)
        {
            _valid[i] = _slots[i]?.Length ?? _history.Retained(i);
            highestBusy = _slots[i] is null ? highestBusy : i;
        }

        var (source, shared) = _history.Find(prompt, _valid, request.Adapter);
        var freeSource = source >= 0 && _slots[source] is null;
        if (freeSource && _settings.Retention != SlotRetention.Lowest && IsPartial(source, shared) && LeastRecentlyUsedFree(-1, -1) is var other && other != source)
        {
            // The prompt shares only the start of another conversation's history (a system prompt, say): that history
            // stays where it is for its own next turn, and the shared entries are copied into the slot a miss would
            // take (an empty one, else the history used least recently). Where the source is itself that history, the
            // prompt takes it over below.
            return Admit(request, other, null, new KvCopy(source, other, shared), shared);
        }


        // A free source below the highest busy slot, or the lowest free one, runs in place without widening the step.
        var inPlace = freeSource && (source < highestBusy || source == lowestFree);
        KvCopy? evacuation = null;
        int slot;
        switch (_settings.Retention)
        {
            case SlotRetention.Lowest:
                slot = inPlace ? source : lowestFree;
                break;
            case SlotRetention.Widen:
                slot = freeSource ? source : LeastRecentlyUsedFree(-1, -1);
                break;
            default:
                slot = inPlace ? source : lowestFree;
                if (!inPlace && _history.Retained(lowestFree) > 0)
                {
                    var victim = LeastRecentlyUsedFree(lowestFree, source);
                    if (freeSource && (victim < 0 || _history.Retained(victim) > 0))
                    {
                        // Moving the hit down would give up another kept history (no empty slot to move the lowest one's into): it runs where it lies.
                        slot = source;
                    }
                    else if (victim >= 0 && (_history.Retained(victim) == 0 || _usedAt[victim] < _usedAt[lowestFree]))
                    {
                        evacuation = new KvCopy(lowestFree, victim, _history.Retained(lowestFree));
                        _history.Move(lowestFree, victim);
                        _usedAt[victim] = _usedAt[lowestFree];
                    }
                }

                break;
        }

        KvCopy? reuse = null;
        if (source >= 0 && slot != source)
        {
            reuse = new KvCopy(source, slot, shared);
            if (freeSource && _settings.Retention == SlotRetention.Move)
            {
                // The history moves with the conversation: its old slot would only keep a shorter copy of it.
                _history.Forget(source);
            }
        }

        return Admit(request, slot, evacuation, reuse, source >= 0 ? shared : 0);
    }

    /// <summary>
    /// Whether a prompt that shares <paramref name="shared"/> tokens with the history the free <paramref name="source"/>
    /// keeps shares less than half of it: the history is then another conversation's, not this one's earlier turn.
    /// </summary>
    private bool IsPartial(int source, int shared) => shared * 2 < _history.Retained(source);

    /// <summary>Gives <paramref name="slot"/> to the request, its first <paramref name="shared"/> tokens' entries already there once the copies ran.</summary>
    private Admission Admit(SequenceRequest request, int slot, KvCopy? evacuation, KvCopy? reuse, int shared)
    {
        _history.Begin(slot, request.PromptTokens, request.Adapter);
        _drafter?.Begin(slot, request.PromptTokens);
        _draftLimits[slot] = _settings.SpeculativeTokens;
        _slots[slot] = new SlotSequence(request) { Length = shared };
        _usedAt[slot] = ++_clock;
        _prefillOrder.Add(slot);
        _turns?.Joined(_slots, slot);
        Volatile.Write(ref _active, _active + 1);
        return new Admission(slot, request, evacuation, reuse);
    }

    /// <summary>The free slot, other than the two named, keeping the history used least recently: an empty one first (the lowest), else the oldest; −1 when none.</summary>
    private int LeastRecentlyUsedFree(int except, int alsoExcept)
    {
        var best = -1;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not null || slot == except || slot == alsoExcept)
            {
                continue;
            }

            if (_history.Retained(slot) == 0)
            {
                return slot;
            }

            best = best < 0 || _usedAt[slot] < _usedAt[best] ? slot : best;
        }

        return best;
    }

    /// <summary>
    /// Speculation: the decoding greedy sequences, lowest slot first, draft tokens after their input (<see cref="NgramDrafter"/>)
    /// with what the budget still holds once prompts took theirs, so drafts never delay a prompt: up to
    /// <c>SpeculativeTokens</c> each, no more than the sequence may still generate after its input's next token, nor
    /// than its slot holds. A sampled sequence does not draft: its tokens are drawn, and a draft is only kept where it
    /// equals the token picked, which only greedy picking reproduces.
    /// </summary>
    private void Draft(int budget)
    {
        foreach (var slot in _plan.Decodes)
        {
            var sequence = _slots[slot]!;
            if (sequence.Request.Sampling.DoSample)
            {
                continue;
            }

            var most = Math.Min(Math.Min(_draftLimits[slot], budget), Math.Min(sequence.Request.MaxTokens - sequence.Generated - 1, _maxLength - sequence.Length - 2));
            var drafted = most > 0 ? _drafter!.Draft(slot, _drafts[slot].AsSpan(0, most)) : 0;
            if (drafted > 0)
            {
                _plan.Draft(slot, drafted);
                budget -= drafted;
                if (budget == 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// A verification of the slot's <paramref name="drafted"/> tokens kept <paramref name="kept"/>: its next draft is at
    /// most one more than it kept (a sequence leaving its loop stops paying for drafts it rejects), or twice as long,
    /// up to <c>SpeculativeTokens</c>, when it kept them all.
    /// </summary>
    public void Verified(int slot, int drafted, int kept) =>
        _draftLimits[slot] = kept == drafted ? Math.Min(_settings.SpeculativeTokens, Math.Max(1, drafted * 2)) : kept + 1;

    /// <summary>Sets a mixed step's rows and lays out its tokens row after row: a decode input, or a prompt chunk.</summary>
    private void LayMixedStep()
    {
        var rows = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            _plan.PastLengths[slot] = _slots[slot]?.Length ?? _history.Retained(slot);
            rows = _plan.Counts[slot] > 0 ? slot + 1 : rows;
        }

        _plan.SetRows(rows);
        if (_plan.Verifies)
        {
            _plan.CountLogits();
        }

        for (var slot = 0; slot < rows; slot++)
        {
            if (_plan.Counts[slot] == 0)
            {
                continue;
            }

            var sequence = _slots[slot]!;
            if (!sequence.IsPrefilling)
            {
                _plan.Feed([sequence.NextInput]);
                if (_plan.Drafted[slot] > 0)
                {
                    _plan.Feed(_drafts[slot].AsSpan(0, _plan.Drafted[slot]));
                }

                continue;
            }

            // Its one chunk of the step starts at its length (no lambda looking it up: a step allocates nothing).
            _plan.Feed(sequence.Request.PromptTokens.AsSpan(sequence.Length, _plan.Counts[slot]));
        }
    }
}
