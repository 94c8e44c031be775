def main():
    result = "acbbca"
    print(f"<<<{result}>>>")

if __name__ == "__main__":
    main()
