using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>A batch loop with a defect: its <see cref="Run"/> throws at once, as a scheduler that dies would.</summary>
internal sealed class FailingLoop : IBatchLoop
{
    public int Active => 0;

    public LoopAbilities Abilities => new(ExecutionProvider.Cpu, false, "a failing loop", "a failing loop", false);

    public void Run(RequestQueue queue, CancellationToken stopping) => throw new InvalidOperationException("a defect in the loop");

    public void Dispose()
    {
    }
}
