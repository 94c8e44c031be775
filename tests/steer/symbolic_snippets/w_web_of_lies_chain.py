statements = [
    ("Fidel", None, True),      # Fidel tells the truth
    ("Jerry", "Fidel", False),  # Jerry says Fidel lies
    ("Vina", "Jerry", True),    # Vina says Jerry tells the truth
    ("Millicent", "Vina", False),
]
truth = {}
for person, about, claim in statements:
    if about is None:
        truth[person] = claim
    else:
        truth[person] = truth[about] == claim
print(f"<<<{'Yes' if truth['Millicent'] else 'No'}>>>")
