namespace Ember.Runtime.Structured;

/// <summary>The byte-level lexer states of JSON strings (escapes, surrogate pairs, UTF-8) and numbers (RFC 8259).</summary>
internal static class JsonLexer
{
    /// <summary>The byte cannot come next.</summary>
    public const int Reject = -1;

    /// <summary>The byte closed the string.</summary>
    public const int StringEnd = -2;

    /// <summary>In a string, between characters.</summary>
    public const int StringNormal = 0;

    private const int Escape = 1, Cont1 = 2, Cont2 = 3, Cont3 = 4, AfterE0 = 5, AfterED = 6, AfterF0 = 7, AfterF4 = 8;
    private const int U1 = 9, U2D = 10, U2 = 11, U3 = 12, U4 = 13, H3 = 14, H4 = 15, HighDone = 16, LowU = 17, L1 = 18, L2 = 19, L3 = 20, L4 = 21;

    private const int Minus = 0, Zero = 1, Int = 2, Dot = 3, Frac = 4, Exp = 5, ExpSign = 6, ExpDigits = 7;

    /// <summary>The string state after <paramref name="b"/>, <see cref="StringEnd"/> or <see cref="Reject"/>.</summary>
    public static int StringNext(int state, byte b) => state switch
    {
        StringNormal => b switch
        {
            (byte)'"' => StringEnd,
            (byte)'\\' => Escape,
            >= 0x20 and <= 0x7F => StringNormal,
            >= 0xC2 and <= 0xDF => Cont1,
            0xE0 => AfterE0,
            0xED => AfterED,
            >= 0xE1 and <= 0xEF => Cont2,
            0xF0 => AfterF0,
            0xF4 => AfterF4,
            >= 0xF1 and <= 0xF3 => Cont3,
            _ => Reject,
        },
        Cont1 => IsContinuation(b) ? StringNormal : Reject,
        Cont2 => IsContinuation(b) ? Cont1 : Reject,
        Cont3 => IsContinuation(b) ? Cont2 : Reject,
        AfterE0 => b is >= 0xA0 and <= 0xBF ? Cont1 : Reject,
        AfterED => b is >= 0x80 and <= 0x9F ? Cont1 : Reject,
        AfterF0 => b is >= 0x90 and <= 0xBF ? Cont2 : Reject,
        AfterF4 => b is >= 0x80 and <= 0x8F ? Cont2 : Reject,
        Escape => b switch
        {
            (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' => StringNormal,
            (byte)'u' => U1,
            _ => Reject,
        },
        U1 => b is (byte)'d' or (byte)'D' ? U2D : IsHex(b) ? U2 : Reject,
        U2D => b switch
        {
            >= (byte)'0' and <= (byte)'7' => U3,
            (byte)'8' or (byte)'9' or (byte)'a' or (byte)'b' or (byte)'A' or (byte)'B' => H3,
            _ => Reject,
        },
        U2 => IsHex(b) ? U3 : Reject,
        U3 => IsHex(b) ? U4 : Reject,
        U4 => IsHex(b) ? StringNormal : Reject,
        H3 => IsHex(b) ? H4 : Reject,
        H4 => IsHex(b) ? HighDone : Reject,
        HighDone => b == '\\' ? LowU : Reject,
        LowU => b == 'u' ? L1 : Reject,
        L1 => b is (byte)'d' or (byte)'D' ? L2 : Reject,
        L2 => b is (>= (byte)'c' and <= (byte)'f') or (>= (byte)'C' and <= (byte)'F') ? L3 : Reject,
        L3 => IsHex(b) ? L4 : Reject,
        L4 => IsHex(b) ? StringNormal : Reject,
        _ => Reject,
    };

    /// <summary>The number state after its first byte, or <see cref="Reject"/>.</summary>
    public static int NumberStart(byte b) => b switch
    {
        (byte)'-' => Minus,
        (byte)'0' => Zero,
        >= (byte)'1' and <= (byte)'9' => Int,
        _ => Reject,
    };

    /// <summary>The number state after <paramref name="b"/>, or <see cref="Reject"/>.</summary>
    public static int NumberNext(int state, byte b, bool integer)
    {
        bool digit = b is >= (byte)'0' and <= (byte)'9';
        bool exponent = !integer && b is (byte)'e' or (byte)'E';
        return state switch
        {
            Minus => b == '0' ? Zero : digit ? Int : Reject,
            Zero => !integer && b == '.' ? Dot : exponent ? Exp : Reject,
            Int => digit ? Int : !integer && b == '.' ? Dot : exponent ? Exp : Reject,
            Dot => digit ? Frac : Reject,
            Frac => digit ? Frac : exponent ? Exp : Reject,
            Exp => b is (byte)'+' or (byte)'-' ? ExpSign : digit ? ExpDigits : Reject,
            ExpSign or ExpDigits => digit ? ExpDigits : Reject,
            _ => Reject,
        };
    }

    /// <summary>Whether the number so far is a whole number.</summary>
    public static bool NumberAccepts(int state) => state is Zero or Int or Frac or ExpDigits;

    /// <summary>Whether some byte can still extend the number (an integer's leading zero cannot be extended).</summary>
    public static bool NumberCanExtend(int state, bool integer) => !(integer && state == Zero);

    private static bool IsContinuation(byte b) => b is >= 0x80 and <= 0xBF;

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');
}
