namespace Ember.Runtime.Structured;

/// <summary>An immutable state of an <see cref="IJsonConstraint"/>; only the constraint that made it reads it.</summary>
internal abstract class JsonConstraintState
{
}
