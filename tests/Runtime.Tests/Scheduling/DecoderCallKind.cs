namespace Ember.Runtime.Tests.Scheduling;

/// <summary>The calls of <see cref="Ember.Runtime.Engine.IDecoder"/>.</summary>
internal enum DecoderCallKind
{
    Copy,
    Prefill,
    Decode,
    Step,
}
