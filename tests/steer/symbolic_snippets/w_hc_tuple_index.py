options = ("(A) 12", "(B) 15", "(C) 18")
print(f"<<<{options[1]}>>>")
