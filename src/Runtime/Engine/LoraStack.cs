using Ember.Models.Lora;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// The adapters a decoder serves, stacked as its graph's LoRA inputs take them (<see cref="LoraGraphInputs"/>): adapter
/// j owns r_j columns; A [input, columns] holds each adapter's <c>Aᵀ</c>, B [columns, output] its <c>scale·Bᵀ</c>, zero
/// where it does not target a projection. Made once when the adapter set changes, so a step allocates nothing for it.
/// </summary>
/// <remarks>Owned by one <see cref="DecoderSession"/>; its tensors live as long as it does. Not thread-safe.</remarks>
internal sealed class LoraStack : IDisposable
{
    private readonly List<(string Name, OrtValue Value)> _inputs = [];
    private readonly long[] _owners;
    private readonly Dictionary<string, float[]> _factors = new(StringComparer.Ordinal);

    /// <summary>Stacks <paramref name="adapters"/> (each already checked against <paramref name="shape"/>) in order: adapter j is row adapter j.</summary>
    public LoraStack(IReadOnlyList<LoraAdapter> adapters, LoraTargetShape shape)
        : this(previous: null, adapters, shape)
    {
    }

    /// <summary>Stacks <paramref name="previous"/>'s adapters as they are, then <paramref name="adapters"/> after them.</summary>
    private LoraStack(LoraStack? previous, IReadOnlyList<LoraAdapter> adapters, LoraTargetShape shape)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfZero(adapters.Count);
        var first = previous?.Count ?? 0;
        var kept = previous?.Columns ?? 0;
        Count = first + adapters.Count;
        Columns = kept + adapters.Sum(a => a.Rank);
        var columns = Columns;
        _owners = new long[columns];
        previous?._owners.CopyTo(_owners, 0);
        var offsets = new int[adapters.Count];
        for (int j = 0, offset = kept; j < adapters.Count; offset += adapters[j].Rank, j++)
        {
            offsets[j] = offset;
            _owners.AsSpan(offset, adapters[j].Rank).Fill(first + j);
        }

        try
        {
            _inputs.Add((LoraGraphInputs.ColumnOwners, OrtValue.CreateTensorValueFromMemory(_owners, [columns])));
            for (var layer = 0; layer < shape.Layers; layer++)
            {
                foreach (var projection in Enum.GetValues<LoraProjection>())
                {
                    int k = shape.InputWidth(projection), n = shape.OutputWidth(projection);
                    var a = new float[k * columns];
                    var b = new float[columns * n];
                    var nameA = LoraGraphInputs.A(layer, projection);
                    var nameB = LoraGraphInputs.B(layer, projection);
                    if (previous is not null)
                    {
                        // Row i of A keeps its first columns; B's first rows are the previous B whole.
                        var oldA = previous._factors[nameA];
                        for (var i = 0; i < k; i++)
                        {
                            oldA.AsSpan(i * kept, kept).CopyTo(a.AsSpan(i * columns));
                        }

                        previous._factors[nameB].CopyTo(b, 0);
                    }

                    for (var j = 0; j < adapters.Count; j++)
                    {
                        var adapter = adapters[j];
                        if (adapter.Weights(layer, projection) is not { } w)
                        {
                            continue;
                        }

                        var rank = adapter.Rank;
                        var scale = (float)adapter.Scale;
                        for (var r = 0; r < rank; r++)
                        {
                            var column = offsets[j] + r;
                            for (var i = 0; i < k; i++)
                            {
                                a[(i * columns) + column] = w.A[(r * k) + i];
                            }

                            for (var o = 0; o < n; o++)
                            {
                                b[(column * n) + o] = scale * w.B[(o * rank) + r];
                            }
                        }
                    }

                    _factors[nameA] = a;
                    _factors[nameB] = b;
                    _inputs.Add((nameA, OrtValue.CreateTensorValueFromMemory(a, [k, columns])));
                    _inputs.Add((nameB, OrtValue.CreateTensorValueFromMemory(b, [columns, n])));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Adapters stacked; a row's adapter is in [0, Count).</summary>
    public int Count { get; }

    /// <summary>Columns stacked: the sum of the adapters' ranks.</summary>
    public int Columns { get; }

    /// <summary>
    /// A new stack of this one's adapters, in their places, then <paramref name="adapters"/> (each already checked against
    /// <paramref name="shape"/>, the shape this one was made for): the columns stacked before are copied, not rebuilt.
    /// This stack is left as it was; its owner disposes it once the new one is in use.
    /// </summary>
    public LoraStack Append(IReadOnlyList<LoraAdapter> adapters, LoraTargetShape shape) => new(this, adapters, shape);

    /// <summary>Binds every stacked input to <paramref name="binding"/>.</summary>
    public void Bind(OrtIoBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        foreach (var (name, value) in _inputs)
        {
            binding.BindInput(name, value);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, value) in _inputs)
        {
            value.Dispose();
        }

        _inputs.Clear();
    }
}
