using System.Text;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

/// <summary>Feeds whole byte strings to a constraint and describes where it ends up, as one exact string.</summary>
internal static class ConstraintRun
{
    /// <summary>"rejected at N", or "complete final", "complete" or "incomplete" after the last byte.</summary>
    public static string Feed(IJsonConstraint constraint, string text) => Feed(constraint, Encoding.UTF8.GetBytes(text));

    /// <summary>"rejected at N", or "complete final", "complete" or "incomplete" after the last byte.</summary>
    public static string Feed(IJsonConstraint constraint, byte[] bytes)
    {
        var state = constraint.Start;
        for (int i = 0; i < bytes.Length; i++)
        {
            var next = constraint.Advance(state, bytes[i]);
            if (next is null)
            {
                return $"rejected at {i}";
            }

            state = next;
        }

        return constraint.IsFinal(state) ? "complete final" : constraint.IsComplete(state) ? "complete" : "incomplete";
    }

    /// <summary>A seeded walk that picks uniformly among the accepted bytes; fails on a state that accepts nothing and is not complete.</summary>
    /// <returns>The text and whether it is complete.</returns>
    public static (byte[] Text, bool Complete) Walk(IJsonConstraint constraint, Random random, int maxBytes)
    {
        var state = constraint.Start;
        var text = new List<byte>();
        var accepted = new List<(byte Byte, Ember.Runtime.Structured.JsonConstraintState State)>(256);
        while (text.Count < maxBytes)
        {
            if (constraint.IsFinal(state) || (constraint.IsComplete(state) && random.Next(2) == 0))
            {
                return ([.. text], true);
            }

            accepted.Clear();
            for (int b = 0; b < 256; b++)
            {
                if (constraint.Advance(state, (byte)b) is { } next)
                {
                    accepted.Add(((byte)b, next));
                }
            }

            Assert.True(accepted.Count > 0, $"stuck after '{Encoding.UTF8.GetString([.. text])}'");
            var (chosen, after) = accepted[random.Next(accepted.Count)];
            text.Add(chosen);
            state = after;
        }

        return ([.. text], constraint.IsComplete(state));
    }
}
