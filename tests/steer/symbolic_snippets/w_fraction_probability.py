from fractions import Fraction

p_red = Fraction(3, 8)
p_two_red = p_red * Fraction(2, 7)
print(f"<<<{p_two_red}>>>")
